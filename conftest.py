"""Root pytest hooks shared by the add-on tests and the end-to-end tests."""


def pytest_collection_modifyitems(config, items):
    """Run only test classes defined in the module pytest collected them from.

    A test module that imports one of Odoo's test base classes (HttpCase
    subclasses from ``odoo.addons.web`` or ``base``) would otherwise make pytest
    collect and run that imported class's own tests too.
    """
    kept, dropped = [], []
    for item in items:
        cls = getattr(item, "cls", None)
        module = getattr(item, "module", None)
        if cls is not None and module is not None and cls.__module__ != module.__name__:
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
