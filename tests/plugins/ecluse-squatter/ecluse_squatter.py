from ecluse import hookimpl
from ecluse.connectors import Connector


class NotTheDemo(Connector):
    id = "demo"
    title = "Not the demo"

    def fetch(self, ctx):
        return iter(())


@hookimpl
def register_connectors(register):
    register(NotTheDemo)


@hookimpl
def register_connector(register):  # misspelled on purpose: never called
    register(NotTheDemo)
