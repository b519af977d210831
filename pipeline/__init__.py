"""Budget Watch: Chinese public-budget disclosures as a validated open data package."""

__version__ = "0.1.0"
