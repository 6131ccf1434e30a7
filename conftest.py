"""Collect the notebooks in `nbs/` as pytest items, so `pytest nbs` runs every notebook's tests
(the same cells `nbdev_test` runs) and prints the usual `N passed, N failed` summary.

Cells flagged with a `tst_flags` directive from settings.ini (e.g. `#| slow`) are skipped unless
named with `--flags slow`.
"""
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


class NotebookItem(pytest.Item):
    def runtest(self):
        from nbdev.test import test_nb
        forced = self.config.getoption('--flags').split()
        ok, _ = test_nb(self.path, skip_flags=_settings_flags(), force_flags=forced, showerr=True)
        if not ok:
            raise NotebookFailure(self.path)

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, NotebookFailure):
            return f'notebook {self.path.name} failed: see the captured stderr above for the cell and traceback'
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, 0, f'notebook: {self.path.name}'


class NotebookFailure(Exception):
    pass
