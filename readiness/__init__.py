"""readiness: scores an EKS cluster's production readiness against a roadmap."""

__version__ = "0.1.0"
