"""The demo company's team tree and people.

Northwind makes Northwind Fit, a fitness app with a premium subscription, and runs an online
store for fitness gear.
"""

from __future__ import annotations

from typing import Any

ORGANIZATION = "Northwind Demo"
TIME_ZONE = "Europe/Lisbon"

COMPANY = "Northwind"
PRODUCT = "Product"
ENGINEERING = "Engineering"
MARKETING = "Marketing"
COMMERCE = "Commerce"
SUPPORT = "Customer Success"

OLIVIA = "founder@northwind.test"
PRIYA = "priya@northwind.test"
TOM = "tom@northwind.test"
SOFIA = "sofia@northwind.test"
MARCUS = "marcus@northwind.test"
EMMA = "emma@northwind.test"
DANIEL = "daniel@northwind.test"
HANNAH = "hannah@northwind.test"
LUCAS = "lucas@northwind.test"
GRACE = "grace@northwind.test"

ADMIN = OLIVIA

TEAMS: list[dict[str, Any]] = [
    {"name": COMPANY},
    {"name": PRODUCT, "parent": COMPANY},
    {"name": ENGINEERING, "parent": PRODUCT},
    {"name": MARKETING, "parent": COMPANY},
    {"name": COMMERCE, "parent": COMPANY},
    {"name": SUPPORT, "parent": COMPANY},
]

PEOPLE: list[dict[str, Any]] = [
    {"email": OLIVIA, "name": "Olivia Bennett", "teams": [COMPANY], "role": "admin"},
    {"email": PRIYA, "name": "Priya Raman", "teams": [PRODUCT], "role": "lead"},
    {"email": TOM, "name": "Tom Fischer", "teams": [ENGINEERING], "role": "lead"},
    {"email": SOFIA, "name": "Sofia Almeida", "teams": [PRODUCT], "role": "member"},
    {"email": MARCUS, "name": "Marcus Chen", "teams": [MARKETING], "role": "lead"},
    {"email": EMMA, "name": "Emma Novak", "teams": [MARKETING], "role": "member"},
    {"email": DANIEL, "name": "Daniel Okafor", "teams": [COMMERCE], "role": "lead"},
    {"email": HANNAH, "name": "Hannah Weber", "teams": [COMMERCE], "role": "member"},
    {"email": LUCAS, "name": "Lucas Moreau", "teams": [SUPPORT], "role": "lead"},
    {"email": GRACE, "name": "Grace Kim", "teams": [COMPANY], "role": "viewer"},
]
