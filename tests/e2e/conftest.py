import os

import pytest


def pytest_addoption(parser):
    parser.addoption("--hugin", required=True, help="path of the hugin agent binary")
    parser.addoption("--server", required=True, help="path of the Go fixture server")
    parser.addoption("--fixture", action="append", default=[],
                     help="LANG=PATH of a fixture server, for the every-language tests")


@pytest.fixture(scope="session")
def hugin(request):
    return os.path.realpath(request.config.getoption("--hugin"))


@pytest.fixture(scope="session")
def server(request):
    return os.path.realpath(request.config.getoption("--server"))


def pytest_generate_tests(metafunc):
    if "fixture_server" in metafunc.fixturenames:
        pairs = [f.split("=", 1) for f in metafunc.config.getoption("--fixture")]
        metafunc.parametrize("fixture_server", [(lang, os.path.realpath(path)) for lang, path in pairs],
                             ids=[lang for lang, _ in pairs])
