"""The grading corpus: a small nbgrader course (`course`) and hostile submissions (`corpus`)."""
