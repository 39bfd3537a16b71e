import os

import pytest


def pytest_addoption(parser):
    parser.addoption("--hugin", required=True, help="path of the hugin agent binary")
    parser.addoption("--server", required=True, help="path of the Go fixture server")


@pytest.fixture(scope="session")
def hugin(request):
    return os.path.realpath(request.config.getoption("--hugin"))


@pytest.fixture(scope="session")
def server(request):
    return os.path.realpath(request.config.getoption("--server"))
