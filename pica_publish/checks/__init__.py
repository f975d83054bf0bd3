"""Checks of one chapter that *check* (pica_publish.stages.check) runs: what other tools' syntax
an author brought (dialects), and the images a chapter uses (images)."""
