"""How many of each kind of user the load test simulates: four times an assumed national peak.

../shared/DESIGN.md names the roles but no head counts. The national demo has
about 210 children and 300 supporters; at a national peak we assume 10
caseworkers (about 20 children each), 3 donor-service staff and 25 anonymous
visitors at once. Kept apart from the locustfile so bench/scale.py can read it
without importing Locust (which patches the standard library with gevent).
"""

NATIONAL = {"caseworkers": 10, "donor_service": 3, "visitors": 25}
SCALE = 4
CASEWORKERS = SCALE * NATIONAL["caseworkers"]
DONOR_SERVICE = SCALE * NATIONAL["donor_service"]
VISITORS = SCALE * NATIONAL["visitors"]
OPERATORS = 1  # starts the claim run and the OCR import
TOTAL_USERS = CASEWORKERS + DONOR_SERVICE + VISITORS + OPERATORS
STAFF_LOGINS = {"caseworkers": CASEWORKERS, "donor_service": DONOR_SERVICE, "operators": OPERATORS}
