"""Tests of tools/check_addon.py on the small fixture addons beside this file.

The clean fixture must pass; each test then breaks one thing in a copy of it
and expects exactly the finding that names that thing.
"""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
sys.path.insert(0, str(REPO / "tools"))

import check_addon  # noqa: E402  pylint: disable=wrong-import-position

LINE_FORMAT = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+): (?P<code>CA\d{3}) (?P<message>.+)$")


def findings(addon, addons_path=""):
    checker = check_addon.AddonChecker(addon, check_addon.expand_addons_path(addons_path))
    return checker.run()


def codes(addon, **kwargs):
    return sorted(
        (Path(f.path).relative_to(display_root(addon)).as_posix(), f.line, f.code)
        for f in findings(addon, **kwargs)
    )


def display_root(addon):
    return Path(check_addon.display(addon))


@pytest.fixture(name="clean")
def clean_copy(tmp_path, monkeypatch):
    """A private copy of the clean fixture, with the working directory set to
    its parent so that reported paths read ``clean_addon/...``."""
    target = tmp_path / "clean_addon"
    shutil.copytree(FIXTURES / "clean_addon", target)
    monkeypatch.chdir(tmp_path)
    return target


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"fixture changed: {old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def after_edit(addon, rel, old, new):
    """(code, message) of every finding once ``old`` became ``new`` in ``rel``."""
    edit(addon / rel, old, new)
    return [(f.code, f.message) for f in findings(addon)]


# ------------------------------------------------------------------ clean


def test_clean_fixture_has_no_finding(clean):
    assert findings(clean) == []


def test_cli_exit_status_and_summary_for_clean_addon():
    result = subprocess.run(
        [sys.executable, "tools/check_addon.py", "tests/tools/fixtures/clean_addon"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 finding(s)" in result.stdout


# ----------------------------------------------------------------- broken


def test_broken_fixture_reports_every_defect_once():
    addon = FIXTURES / "broken_addon"
    assert codes(addon) == [
        ("__manifest__.py", 11, "CA503"),
        ("data/broken_data.xml", 5, "CA504"),
        ("data/broken_data.xml", 9, "CA401"),
        ("data/forgotten.xml", 1, "CA501"),
        ("models/broken_case.py", 9, "CA303"),
        ("models/broken_case.py", 13, "CA402"),
        ("models/broken_case.py", 14, "CA304"),
        ("models/broken_case.py", 18, "CA101"),
        ("security/ir.model.access.csv", 2, "CA502"),
        ("views/broken_views.xml", 8, "CA302"),
        ("views/broken_views.xml", 9, "CA201"),
        ("views/broken_views.xml", 10, "CA303"),
        ("views/broken_views.xml", 12, "CA301"),
        ("views/broken_views.xml", 13, "CA201"),
        ("views/broken_views.xml", 24, "CA202"),
        ("views/broken_views.xml", 31, "CA304"),
        ("views/broken_views.xml", 32, "CA401"),
    ]


def test_cli_prints_one_line_per_finding_and_exits_1():
    result = subprocess.run(
        [sys.executable, "tools/check_addon.py", "tests/tools/fixtures/broken_addon"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[-1] == (
        "check_addon: tests/tools/fixtures/broken_addon: 17 finding(s); "
        "2/2 views checked field by field (no addons path: standard mixins only)"
    )
    for line in lines[:-1]:
        match = LINE_FORMAT.match(line)
        assert match, line
        assert match["path"].startswith("tests/tools/fixtures/broken_addon/")
    assert (
        "tests/tools/fixtures/broken_addon/views/broken_views.xml:9: CA201 "
        "field 'no_such_field' does not exist on model 'broken.case'" in lines
    )


def test_cli_refuses_a_folder_without_manifest(tmp_path):
    result = subprocess.run(
        [sys.executable, str(REPO / "tools/check_addon.py"), str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "no __manifest__.py" in result.stderr


# ------------------------------------------------------- (1) access rows


def test_model_without_access_row(clean):
    edit(
        clean / "security/ir.model.access.csv",
        "access_clean_stage_user,clean.stage user,model_clean_stage,base.group_user,1,0,0,0\n",
        "",
    )
    result = findings(clean)
    assert [(f.code, f.path, f.line) for f in result] == [("CA101", "clean_addon/models/clean_stage.py", 5)]
    assert result[0].message == "model 'clean.stage' has no row in ir.model.access.csv"


def test_abstract_model_and_extension_need_no_access_row(clean):
    # clean.report.mixin (abstract) and res.partner (extension) have no row
    csv_text = (clean / "security/ir.model.access.csv").read_text()
    assert "report_mixin" not in csv_text and "res_partner" not in csv_text
    assert findings(clean) == []


def test_transient_model_needs_access_row_too(clean):
    # Odoo 18 refuses a wizard whose model has no access row.
    (clean / "models/clean_wizard.py").write_text(
        "from odoo import fields, models\n\n\n"
        "class CleanWizard(models.TransientModel):\n"
        '    _name = "clean.wizard"\n'
        '    _description = "Wizard"\n\n'
        "    note = fields.Char()\n"
    )
    assert [(f.code, f.path) for f in findings(clean)] == [("CA101", "clean_addon/models/clean_wizard.py")]


# ------------------------------------------------------- (2) view fields


ONE_EDIT_CASES = {
    # (2) view fields
    "view field missing on its model": (
        "views/clean_case_views.xml",
        '<field name="partner_id"/>',
        '<field name="partner"/>',
        [("CA201", "field 'partner' does not exist on model 'clean.case'")],
    ),
    "subview field checked on the comodel": (
        "views/clean_case_views.xml",
        '<field name="amount"/>',
        '<field name="total"/>',
        [("CA201", "field 'total' does not exist on model 'clean.case.line'")],
    ),
    "field of an inheriting view": (
        "views/clean_case_views.xml",
        '<field name="decision_date"/>',
        '<field name="decided_on"/>',
        [("CA201", "field 'decided_on' does not exist on model 'clean.case'")],
    ),
    # (4) xml ids
    "unknown local xml id": (
        "views/clean_menus.xml",
        'action="action_clean_case"',
        'action="action_clean_cases"',
        [("CA401", "unknown XML id 'action_clean_cases'")],
    ),
    "xml id of a module outside the dependencies": (
        "security/clean_security.xml",
        "ref('base.group_user')",
        "ref('hr.group_hr_user')",
        [("CA401", "'hr.group_hr_user' belongs to module 'hr', which is not a dependency")],
    ),
    "xml id of an indirect dependency (bus comes with mail)": (
        "security/clean_security.xml",
        "ref('base.group_user')",
        "ref('bus.some_record')",
        [],
    ),
    "percent reference in a view": (
        "views/clean_case_views.xml",
        "%(action_clean_case)d",
        "%(action_gone)d",
        [("CA401", "unknown XML id 'action_gone'")],
    ),
}


@pytest.mark.parametrize("case", sorted(ONE_EDIT_CASES))
def test_one_edit_gives_exactly_its_finding(clean, case):
    rel, old, new, expected = ONE_EDIT_CASES[case]
    assert after_edit(clean, rel, old, new) == expected


def test_inheriting_view_without_model(clean):
    # Odoo 18 refuses it ("Model not found: False"); the fields are still
    # checked on the model of the parent view
    views = clean / "views/clean_case_views.xml"
    edit(views, "<field name=\"name\">clean.case.list.extra</field>\n        <field name=\"model\">clean.case</field>",
         "<field name=\"name\">clean.case.list.extra</field>")
    assert after_edit(clean, "views/clean_case_views.xml", '<field name="decision_date"/>', '<field name="decided"/>') == [
        ("CA203", "view 'clean_case_view_list_extra' has no model field (Odoo 18 does not take it from inherit_id)"),
        ("CA201", "field 'decided' does not exist on model 'clean.case'"),
    ]


def test_mixin_and_magic_fields_are_accepted(clean):
    # message_needaction, activity_ids, activity_state come from the mail
    # mixins, create_date is a magic field: all are used by the clean views.
    text = (clean / "views/clean_case_views.xml").read_text()
    for name in ("message_needaction", "activity_ids", "activity_state", "create_date"):
        assert name in text
    assert findings(clean) == []


def test_search_group_by_and_kanban_attributes_are_checked(clean):
    views = clean / "views/clean_case_views.xml"
    edit(views, "'group_by': 'stage_id'", "'group_by': 'stage'")
    edit(views, 'default_group_by="stage_id"', 'default_group_by="state"')
    edit(views, 'progressbar field="activity_state"', 'progressbar field="activity"')
    messages = sorted(f.message for f in findings(clean))
    assert messages == [
        "default_group_by 'state' does not exist on model 'clean.case'",
        "filter uses field 'stage', which does not exist on model 'clean.case'",
        "progressbar field 'activity' does not exist on model 'clean.case'",
    ]


def test_external_model_is_skipped_without_addons_path(clean):
    # res.partner is only extended here: its own fields are unknown, so a
    # typo on it cannot be told from a real field without Odoo's source.
    assert (
        after_edit(
            clean,
            "views/clean_case_views.xml",
            '<field name="email" position="after">',
            '<field name="emial" position="after">',
        )
        == []
    )


def test_external_model_is_checked_with_addons_path(clean, tmp_path):
    deps = tmp_path / "deps"
    base = deps / "base"
    (base / "models").mkdir(parents=True)
    (base / "__manifest__.py").write_text("{'name': 'base', 'depends': []}\n")
    (base / "models/res_partner.py").write_text(
        "from odoo import fields, models\n\n\n"
        "class Partner(models.Model):\n"
        '    _name = "res.partner"\n\n'
        "    name = fields.Char()\n"
        "    email = fields.Char()\n"
    )
    for name, depends in (("mail", ["base"]),):
        (deps / name).mkdir()
        (deps / name / "__manifest__.py").write_text(f"{{'name': '{name}', 'depends': {depends!r}}}\n")
    assert findings(clean, addons_path=str(deps)) == []
    edit(clean / "views/clean_case_views.xml", '<field name="email" position="after">', '<field name="emial" position="after">')
    assert [(f.code, f.message) for f in findings(clean, addons_path=str(deps))] == [
        ("CA201", "field 'emial' does not exist on model 'res.partner'")
    ]


# ------------------------------------------------- (3) deprecated syntax


def test_tree_attrs_and_states_in_views(clean):
    views = clean / "views/clean_case_views.xml"
    edit(views, '<list editable="bottom">', '<tree editable="bottom">')
    edit(views, "</list>\n                    </field>", "</tree>\n                    </field>")
    edit(views, '<field name="partner_id"/>', "<field name=\"partner_id\" attrs=\"{'invisible': [('name', '=', False)]}\"/>")
    edit(views, 'type="action" string="Open"', 'type="action" string="Open" states="draft"')
    edit(views, "kanban,list,form", "kanban,tree,form")
    assert sorted(f.code for f in findings(clean)) == ["CA301", "CA302", "CA303", "CA304"]


# ------------------------------------------------------- (4) xml ids


def test_python_references_are_checked(clean):
    model = clean / "models/clean_case.py"
    edit(model, '"clean_addon.action_clean_case"', '"clean_addon.action_missing"')
    edit(model, 'self.env.ref("clean_addon.stage_new")', 'self.env.ref("stage_new")')
    edit(model, 'groups="clean_addon.group_clean_manager"', 'groups="account.group_account_user"')
    assert sorted((f.code, f.message) for f in findings(clean)) == [
        ("CA401", "'account.group_account_user' belongs to module 'account', which is not a dependency"),
        ("CA401", "unknown XML id 'clean_addon.action_missing'"),
        ("CA402", "'stage_new' needs its module prefix ('clean_addon.stage_new')"),
    ]


# ------------------------------------------------- (5) manifest and order


def test_data_file_missing_from_manifest(clean):
    edit(clean / "__manifest__.py", '"views/clean_menus.xml",', "")
    assert [(f.code, f.path) for f in findings(clean)] == [("CA501", "clean_addon/views/clean_menus.xml")]


def test_access_csv_listed_before_the_groups_it_uses(clean):
    edit(
        clean / "__manifest__.py",
        '"security/clean_security.xml",\n        "security/ir.model.access.csv",',
        '"security/ir.model.access.csv",\n        "security/clean_security.xml",',
    )
    result = findings(clean)
    assert {(f.code, f.path) for f in result} == {("CA502", "clean_addon/security/ir.model.access.csv")}
    assert "loads after 'security/ir.model.access.csv'" in result[0].message


def test_menu_file_listed_before_the_action_it_opens(clean):
    edit(
        clean / "__manifest__.py",
        '"views/clean_case_views.xml",\n        "views/clean_menus.xml",',
        '"views/clean_menus.xml",\n        "views/clean_case_views.xml",',
    )
    assert [(f.code, f.path, f.line) for f in findings(clean)] == [
        ("CA502", "clean_addon/views/clean_menus.xml", 4)
    ]


def test_reference_before_its_record_in_the_same_file(clean):
    menus = clean / "views/clean_menus.xml"
    text = menus.read_text()
    lines = text.splitlines()
    lines[2], lines[3] = lines[3], lines[2]
    menus.write_text("\n".join(lines) + "\n")
    result = findings(clean)
    assert [(f.code, f.line) for f in result] == [("CA502", 3)]
    assert result[0].message == "'menu_clean_root' is used before its definition at line 4"


def test_data_file_needing_a_demo_record(clean):
    edit(
        clean / "data/clean_stage_data.xml",
        '<field name="sequence">1</field>',
        '<field name="sequence">1</field>\n        <field name="create_uid" ref="case_demo"/>',
    )
    result = findings(clean)
    assert [f.code for f in result] == ["CA504"]
    assert "defined only in demo file 'demo/clean_case_demo.xml'" in result[0].message


def test_demo_file_may_use_data_records(clean):
    # demo/clean_case_demo.xml refers to stage_new from data/: that is fine
    assert "stage_new" in (clean / "demo/clean_case_demo.xml").read_text()
    assert findings(clean) == []


def test_manifest_entry_without_file(clean):
    edit(clean / "__manifest__.py", '"views/clean_menus.xml",', '"views/clean_menus.xml",\n        "views/gone.xml",') == [
        ("CA503", "manifest lists 'views/gone.xml', which does not exist")
    ]


# ------------------------------------------------------- (6) test modules


def test_test_module_not_imported_in_tests_init(clean):
    tests_dir = clean / "tests"
    tests_dir.mkdir()
    (tests_dir / "test_cases.py").write_text("from odoo.tests import TransactionCase\n")
    (tests_dir / "test_stages.py").write_text("from odoo.tests import TransactionCase\n")
    (tests_dir / "__init__.py").write_text("from . import test_cases\n")
    assert [(f.code, f.path, f.message) for f in findings(clean)] == [
        (
            "CA601",
            "clean_addon/tests/test_stages.py",
            "'test_stages' is not imported in tests/__init__.py, so Odoo never runs it",
        )
    ]
    (tests_dir / "__init__.py").write_text("from . import test_cases, test_stages\n")
    assert findings(clean) == []


def test_sql_view_model_without_depends(clean):
    report = (
        "from odoo import fields, models\n\n\n"
        "class CleanReport(models.Model):\n"
        '    _name = "clean.report"\n'
        '    _description = "Cases per stage"\n'
        "    _auto = False\n"
        "{depends}\n"
        '    stage_id = fields.Many2one("clean.stage")\n\n'
        "    def init(self):\n"
        '        self.env.cr.execute("CREATE OR REPLACE VIEW clean_report AS (SELECT id, stage_id FROM clean_case)")\n'
    )
    (clean / "models/clean_report.py").write_text(report.format(depends=""))
    with (clean / "security/ir.model.access.csv").open("a") as csv_file:
        csv_file.write("access_clean_report_user,clean.report user,model_clean_report,base.group_user,1,0,0,0\n")
    assert [(f.code, f.path, f.line) for f in findings(clean)] == [("CA102", "clean_addon/models/clean_report.py", 5)]
    (clean / "models/clean_report.py").write_text(
        report.format(depends='    _depends = {"clean.case": ["stage_id"]}')
    )
    assert findings(clean) == []
