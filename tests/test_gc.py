import gc

import mention_insight._gc as gcmod


def test_gc_paused_restores_the_previous_state():
    assert gc.isenabled()
    with gcmod.gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with gcmod.gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_freeze_happens_once_and_can_be_turned_off(monkeypatch):
    monkeypatch.setattr(gcmod, "_frozen", False)
    monkeypatch.setenv(gcmod.FREEZE_ENV, "0")
    before = gc.get_freeze_count()
    assert gcmod.freeze_loaded_objects() is False
    assert gc.get_freeze_count() == before
    monkeypatch.delenv(gcmod.FREEZE_ENV)
    try:
        assert gcmod.freeze_loaded_objects() is True
        assert gc.get_freeze_count() > 0
        assert gcmod.freeze_loaded_objects() is False  # once per process
    finally:
        gc.unfreeze()
