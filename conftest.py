"""Collect the notebooks in `nbs/` as pytest items, so `pytest nbs` runs every notebook's tests
(the same cells `nbdev_test` runs) and prints the usual `N passed, N failed` summary.

Cells flagged with a `tst_flags` directive from settings.ini (e.g. `#| slow`) are skipped unless
named with `--flags slow`.

Each notebook runs with its own temporary folder (`tempfile` and `TMPDIR`, so the commands it starts too): the
folders that its tests make with `tempfile.mkdtemp()` are removed when it passes, and kept (the failure names them)
when it fails. Without this every run left its files behind, gigabytes with `--flags slow`.
"""
import contextlib
import os
import shutil
import tempfile
from configparser import ConfigParser
from pathlib import Path

import pytest

ROOT = Path(__file__).parent


def _settings_flags():
    cfg = ConfigParser(delimiters=['='])
    cfg.read(ROOT / 'settings.ini', encoding='utf-8')
    return cfg['DEFAULT'].get('tst_flags', '').split()


def pytest_addoption(parser):
    parser.addoption('--flags', default='', help='space-separated nbdev test flags to run (e.g. "slow")')


def pytest_collect_file(parent, file_path):
    if file_path.suffix == '.ipynb' and not file_path.name.startswith(('_', '.')):
        return NotebookFile.from_parent(parent, path=file_path)


class NotebookFile(pytest.File):
    def collect(self):
        yield NotebookItem.from_parent(self, name=self.path.stem)


@contextlib.contextmanager
def scratch_tempdir(name: str):
    "Point `tempfile` and `TMPDIR` at a new folder for the block; remove it unless the block raises."
    scratch = tempfile.mkdtemp(prefix=f'auralflow-test-{name}-')
    saved = tempfile.tempdir, os.environ.get('TMPDIR')
    tempfile.tempdir = os.environ['TMPDIR'] = scratch
    try:
        yield scratch
        shutil.rmtree(scratch, ignore_errors=True)
    finally:
        tempfile.tempdir = saved[0]
        if saved[1] is None: os.environ.pop('TMPDIR', None)
        else: os.environ['TMPDIR'] = saved[1]


class NotebookItem(pytest.Item):
    def runtest(self):
        from nbdev.test import test_nb
        forced = self.config.getoption('--flags').split()
        with scratch_tempdir(self.path.stem) as scratch:
            ok, _ = test_nb(self.path, skip_flags=_settings_flags(), force_flags=forced, showerr=True)
            if not ok:
                raise NotebookFailure(scratch)

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, NotebookFailure):
            return (f'notebook {self.path.name} failed: see the captured stderr above for the cell and traceback '
                    f'(its temporary files are kept in {excinfo.value})')
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, 0, f'notebook: {self.path.name}'


class NotebookFailure(Exception):
    pass
