"""Mock interviews: the scenario as an interview, timed, with curveballs and rubric scoring."""
