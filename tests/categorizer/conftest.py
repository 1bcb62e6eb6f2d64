"""Fixtures for the categorizer tests: one loaded categorizer per session (loading is the slow part)."""
from __future__ import annotations

import pytest

from ticket_store.categorizer import load_categorizer
from ticket_store.categorizer.learning import LearningCategorizer
from ticket_store.categorizer.model import Resources
from ticket_store.categorizer.training import load_training_tickets


@pytest.fixture(scope="session")
def categorizer() -> LearningCategorizer:
    """Return the store's categorizer; tests must not teach it anything."""
    return load_categorizer()


@pytest.fixture(scope="session")
def resources() -> Resources:
    """Return the shared embedding and glossary."""
    return Resources.load()


@pytest.fixture
def fresh_categorizer(resources: Resources) -> LearningCategorizer:
    """Return a categorizer of its own, for tests that teach it corrections."""
    return LearningCategorizer(load_training_tickets(), resources)
