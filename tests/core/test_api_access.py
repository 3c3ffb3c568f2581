"""Every operation of the JSON API says who may call it.

An operation either requires authentication (``auth=`` on the operation, its router or the
API) or is listed in PUBLIC_OPERATIONS with the reason it is open to anyone.
"""

from civiquest.api import api

# "METHOD /api/v1/path": why anyone may call it.
PUBLIC_OPERATIONS: dict[str, str] = {
    "GET /api/v1/address/search": (
        "BAN open data (Etalab 2.0): the address autocomplete works before sign-in; per-IP rate limit in the cache"
    ),
    "GET /api/v1/address/reverse": (
        "BAN open data (Etalab 2.0): the address autocomplete works before sign-in; per-IP rate limit in the cache"
    ),
    "GET /api/v1/address/communes": (
        "INSEE's commune list (COG, Etalab 2.0), searched in memory; per-IP rate limit shared with the address search"
    ),
}


def operations():
    for prefix, router in api._routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    yield f"{method} /api/v1/{prefix.strip('/')}/{path.lstrip('/')}".replace("//", "/"), operation


def test_every_api_operation_requires_authentication_or_is_declared_public():
    undeclared = [
        name
        for name, operation in operations()
        if not getattr(operation, "auth_callbacks", None) and name not in PUBLIC_OPERATIONS
    ]
    assert undeclared == [], "Give these operations auth= or list them in PUBLIC_OPERATIONS"


def test_public_operations_exist():
    names = {name for name, _operation in operations()}
    assert set(PUBLIC_OPERATIONS) <= names
