import os

import pytest

import harness


def pytest_addoption(parser):
    parser.addoption("--hugin", required=True, help="path of the hugin agent binary")
    parser.addoption("--server", required=True, help="path of the Go fixture server")
    parser.addoption("--server-stripped", default=None,
                     help="path of the Go fixture built with -ldflags='-s -w'")
    parser.addoption("--fixture", action="append", default=[],
                     help="LANG=PATH of a fixture server, for the every-language tests")


@pytest.fixture(scope="session")
def hugin(request):
    return os.path.realpath(request.config.getoption("--hugin"))


@pytest.fixture(scope="session")
def server(request):
    return os.path.realpath(request.config.getoption("--server"))


@pytest.fixture(scope="session")
def server_stripped(request):
    path = request.config.getoption("--server-stripped")
    if not path:
        raise pytest.UsageError("--server-stripped is required by the stripped-binary tests")
    return os.path.realpath(path)


@pytest.fixture(scope="session")
def fixture_paths(request):
    """{language: path} of the --fixture servers."""
    return {lang: os.path.realpath(path) for lang, path in
            (f.split("=", 1) for f in request.config.getoption("--fixture"))}


def pytest_generate_tests(metafunc):
    if "fixture_server" in metafunc.fixturenames:
        pairs = [f.split("=", 1) for f in metafunc.config.getoption("--fixture")]
        metafunc.parametrize("fixture_server", [(lang, os.path.realpath(path)) for lang, path in pairs],
                             ids=[lang for lang, _ in pairs])


@pytest.fixture(autouse=True)
def agent_without_sanitizer_report():
    """Fails a test whose agent reported a fault on stderr (a sanitizer build; README
    "Sanitizers"). Stops the agent first: LeakSanitizer reports at exit."""
    harness.AGENTS.clear()
    yield
    for agent in harness.AGENTS:
        try:
            agent.stop()
        except AssertionError:
            pass  # the test itself reports an agent that would not stop
        report = harness.sanitizer_report(agent)
        if report:
            pytest.fail(f"the agent (pid {agent.p.pid}) reported:\n" + "\n".join(report[:80]),
                        pytrace=False)
