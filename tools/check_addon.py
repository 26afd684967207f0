#!/usr/bin/env python3
"""Project checks for an Odoo 18.0 addon: what pylint-odoo and OCA's hooks miss.

Usage::

    python tools/check_addon.py [--addons-path PATH[,PATH...]] ADDON_DIR [ADDON_DIR ...]

Every finding is printed as ``path:line: CODE message``; the exit status is 1
when there is at least one finding, 0 when the addon is clean, 2 on bad usage.

Codes:

* CA101 a model the addon defines has no row in ``ir.model.access``
* CA102 a model built on an SQL view (``_auto = False``) without ``_depends``
* CA201 a ``<field>`` in a view names a field the view's model does not have
* CA202 a search filter groups by, or a view attribute names, an unknown field
* CA203 a view record without its ``model`` field
* CA301 ``<tree>`` element (Odoo 18 uses ``<list>``)
* CA302 ``attrs=`` attribute (Odoo 17+ uses python expressions)
* CA303 ``states=`` attribute or field parameter
* CA304 ``view_mode`` containing ``tree``
* CA401 reference to an XML id that is not defined in the addon, or whose
  module is not among the addon's dependencies
* CA402 a Python reference to an XML id without its module prefix
* CA501 a data file that the manifest does not list
* CA502 a data file listed (or a record placed) before what it references
* CA503 the manifest lists a file that does not exist
* CA504 a data file (or non-test Python code) that needs a demo-only record
* CA601 a ``tests/test_*.py`` module that ``tests/__init__.py`` does not import

Fields are found by reading the addon's Python with ``ast``. Models that come
from other modules are resolved through ``--addons-path`` (default: the
``ODOO_ADDONS_PATH`` environment variable) when given, else through a short
list of standard mixin fields; a view whose model cannot be resolved is not
checked field by field, so the checker never guesses.
"""

import argparse
import ast
import csv
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

MAGIC_FIELDS = frozenset(
    {
        "id",
        "display_name",
        "create_date",
        "write_date",
        "create_uid",
        "write_uid",
        "__last_update",
    }
)

# Fields of the standard mixins, used when Odoo's source is not at hand.
MIXIN_FIELDS = {
    "mail.thread": {
        "message_is_follower",
        "message_follower_ids",
        "message_partner_ids",
        "message_ids",
        "has_message",
        "message_needaction",
        "message_needaction_counter",
        "message_has_error",
        "message_has_error_counter",
        "message_attachment_count",
    },
    "mail.activity.mixin": {
        "activity_ids",
        "activity_state",
        "activity_user_id",
        "activity_type_id",
        "activity_type_icon",
        "activity_date_deadline",
        "my_activity_date_deadline",
        "activity_summary",
        "activity_exception_decoration",
        "activity_exception_icon",
    },
    "mail.thread.main.attachment": {"message_main_attachment_id"},
    "portal.mixin": {"access_url", "access_token", "access_warning"},
    "image.mixin": {"image_1920", "image_1024", "image_512", "image_256", "image_128"},
    "avatar.mixin": {
        "avatar_1920",
        "avatar_1024",
        "avatar_512",
        "avatar_256",
        "avatar_128",
    },
}
MIXIN_PARENTS = {
    "mail.thread.main.attachment": ["mail.thread"],
    "avatar.mixin": ["image.mixin"],
}

# Dependencies of the core modules an addon usually depends on, used when
# Odoo's source is not at hand (Odoo 18.0 manifests).
CORE_DEPENDS = {
    "base": [],
    "web": ["base"],
    "bus": ["base", "web"],
    "base_setup": ["base", "web"],
    "web_tour": ["web"],
    "html_editor": ["base", "bus", "web"],
    "mail": ["base", "base_setup", "bus", "web_tour", "html_editor"],
}

VIEW_ROOTS = {
    "form",
    "list",
    "kanban",
    "search",
    "graph",
    "pivot",
    "calendar",
    "activity",
    "hierarchy",
    "gantt",
    "map",
    "cohort",
}
SKIPPED_DIRS = {"static", "tests", "i18n", "i18n_extra", "readme", "migrations", "upgrades"}
RELATIONAL = {"Many2one", "One2many", "Many2many"}
PY_REF_METHODS = {"ref", "_for_xml_id", "has_group"}

PERCENT_REF = re.compile(r"%\(([\w.]+)\)[ds]")
CALL_REF = re.compile(r"\bref\(\s*['\"]([\w.]+)['\"]\s*\)")
GROUP_BY = re.compile(r"['\"]group_by['\"]\s*:\s*(\[[^\]]*\]|'[^']*'|\"[^\"]*\")")
QUOTED = re.compile(r"['\"]([^'\"]+)['\"]")
SUBVIEW_XPATH = re.compile(r"field\[@name=['\"][^'\"]+['\"]\]/")


@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    code: str
    message: str

    def __str__(self):
        return f"{self.path}:{self.line}: {self.code} {self.message}"


@dataclass
class ModelClass:
    """One Python class that defines or extends an Odoo model."""

    name: str
    kind: str  # "model", "transient" or "abstract"
    is_new: bool
    parents: list
    delegates: list
    fields: dict  # field name -> comodel name (or None)
    path: Path
    line: int
    module: str
    sql_view: bool = False  # _auto = False without _depends


@dataclass
class DataFile:
    rel: str
    path: Path
    demo: bool
    index: int  # position in the manifest's data + demo lists
    defines: dict = field(default_factory=dict)  # xml id -> line
    refs: list = field(default_factory=list)  # (xml id, line)


def display(path):
    """Path relative to the working directory when it lies below it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def read_manifest(addon_dir):
    manifest = addon_dir / "__manifest__.py"
    return ast.literal_eval(manifest.read_text(encoding="utf-8"))


# ---------------------------------------------------------------- python side


def _dotted(node):
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else node.attr
    return ""


def _literal(node):
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, RecursionError):
        return None


def _as_list(value):
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [v for v in value if isinstance(v, str)]
    return []


def _field_call(node):
    """(field type, call) when ``node`` is ``fields.X(...)``, else None."""
    if not isinstance(node, ast.Call):
        return None
    name = _dotted(node.func)
    if name.startswith(("fields.", "odoo.fields.")):
        return name.rsplit(".", 1)[1], node
    return None


def _comodel(ftype, call):
    if ftype not in RELATIONAL:
        return None
    for keyword in call.keywords:
        if keyword.arg == "comodel_name":
            return _literal(keyword.value)
    if call.args and isinstance(_literal(call.args[0]), str):
        return _literal(call.args[0])
    return None


def _model_kind(classdef):
    for base in classdef.bases:
        name = _dotted(base).rsplit(".", 1)[-1]
        if name == "Model":
            return "model"
        if name == "TransientModel":
            return "transient"
        if name == "AbstractModel":
            return "abstract"
    return None


def parse_model_classes(path, module):
    """Model classes found in one Python file (empty on syntax errors)."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (SyntaxError, UnicodeDecodeError):
        return []
    found = []
    for classdef in (n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)):
        kind = _model_kind(classdef)
        if not kind:
            continue
        attrs, fields_, line = {}, {}, classdef.lineno
        for stmt in classdef.body:
            if not (isinstance(stmt, ast.Assign) and len(stmt.targets) == 1):
                continue
            target = stmt.targets[0]
            if not isinstance(target, ast.Name):
                continue
            if target.id in ("_name", "_inherit", "_inherits", "_abstract", "_transient", "_auto", "_depends"):
                attrs[target.id] = _literal(stmt.value)
                if target.id == "_name":
                    line = stmt.lineno
                continue
            call = _field_call(stmt.value)
            if call:
                fields_[target.id] = _comodel(*call)
        inherit = _as_list(attrs.get("_inherit"))
        name = attrs.get("_name") if isinstance(attrs.get("_name"), str) else None
        name = name or (inherit[0] if inherit else None)
        if not name:
            continue
        if attrs.get("_abstract") is True:
            kind = "abstract"
        elif attrs.get("_transient") is True:
            kind = "transient"
        delegates = attrs.get("_inherits")
        found.append(
            ModelClass(
                name=name,
                kind=kind,
                is_new=bool(attrs.get("_name")) and name not in inherit,
                parents=[p for p in inherit if p != name],
                delegates=list(delegates) if isinstance(delegates, dict) else [],
                fields=fields_,
                path=path,
                line=line,
                module=module,
                sql_view=attrs.get("_auto") is False and "_depends" not in attrs,
            )
        )
    return found


def python_files(module_dir, include_tests=False):
    for path in sorted(module_dir.rglob("*.py")):
        parts = set(path.relative_to(module_dir).parts[:-1])
        if parts & {"migrations", "upgrades", "static"}:
            continue
        if "tests" in parts and not include_tests:
            continue
        yield path


class ModelRegistry:
    """Fields per model, from the addon and (when found) its dependencies."""

    def __init__(self):
        self.classes = {}  # model -> [ModelClass]

    def add(self, model_class):
        self.classes.setdefault(model_class.name, []).append(model_class)

    def fields(self, model, _seen=None):
        """Dict field -> comodel, or None when the model cannot be resolved."""
        seen = _seen if _seen is not None else set()
        if model in seen:
            return {}
        seen.add(model)
        # Known only when the class that creates the model was read: an
        # extension alone does not tell which fields the model has.
        known = model in MIXIN_FIELDS or any(c.is_new for c in self.classes.get(model, ()))
        if not known:
            return None
        result = dict.fromkeys(MAGIC_FIELDS)
        result.update(dict.fromkeys(MIXIN_FIELDS.get(model, ())))
        parents = list(MIXIN_PARENTS.get(model, ()))
        for model_class in self.classes.get(model, ()):
            parents += model_class.parents + model_class.delegates
        for parent in parents:
            parent_fields = self.fields(parent, seen)
            if parent_fields is None:
                return None
            result.update(parent_fields)
        for model_class in self.classes.get(model, ()):
            result.update(model_class.fields)
        return result


# ------------------------------------------------------------ module lookups


def find_module(name, addons_path):
    for base in addons_path:
        candidate = base / name
        if (candidate / "__manifest__.py").is_file():
            return candidate
    return None


def expand_addons_path(raw):
    paths = []
    for item in (raw or "").split(","):
        if not item.strip():
            continue
        base = Path(item.strip())
        paths.append(base)
        # Odoo's own ``base`` module lives in odoo/addons beside addons/.
        sibling = base.parent / "odoo" / "addons"
        if sibling.is_dir() and sibling not in paths:
            paths.append(sibling)
    return [p for p in paths if p.is_dir()]


def dependency_closure(depends, addons_path):
    """All modules the addon depends on, directly or not, and whether the
    closure could be computed from real manifests."""
    closure, todo, complete = set(), list(depends) + ["base"], True
    while todo:
        name = todo.pop()
        if name in closure:
            continue
        closure.add(name)
        module_dir = find_module(name, addons_path) if addons_path else None
        if module_dir:
            todo += read_manifest(module_dir).get("depends", [])
        elif name in CORE_DEPENDS:
            todo += CORE_DEPENDS[name]
        else:
            complete = False
    return closure, complete


# ------------------------------------------------------------------ xml side


def _xml_id_list(value):
    return [v.strip().lstrip("-!") for v in (value or "").split(",") if v.strip()]


def _elements(root):
    return (el for el in root.iter() if isinstance(el.tag, str))


def collect_xml(data_file, addon_name):
    """Fill ``defines`` and ``refs`` of one XML data file; return its tree."""
    parser = etree.XMLParser(remove_comments=True)
    tree = etree.parse(str(data_file.path), parser)
    prefix = addon_name + "."
    for el in _elements(tree.getroot()):
        line = el.sourceline or 0
        if el.tag in ("record", "template", "menuitem", "report") and el.get("id"):
            xml_id = el.get("id")
            if xml_id.startswith(prefix):
                xml_id = xml_id[len(prefix) :]
            if "." not in xml_id:
                data_file.defines.setdefault(xml_id, line)
        refs = []
        if el.tag == "field" and el.get("ref"):
            refs.append(el.get("ref"))
        if el.tag in ("menuitem",):
            refs += [v for v in (el.get("parent"), el.get("action")) if v]
        if el.tag == "template" and el.get("inherit_id"):
            refs.append(el.get("inherit_id"))
        if el.tag == "delete" and el.get("id"):
            refs.append(el.get("id"))
        refs += _xml_id_list(el.get("groups"))
        for value in el.attrib.values():
            refs += PERCENT_REF.findall(value)
        if el.get("eval"):
            refs += CALL_REF.findall(el.get("eval"))
        if el.tag == "field" and el.get("name") in ("code", "domain_force", "domain", "context"):
            text = el.text or ""
            refs += CALL_REF.findall(text) + PERCENT_REF.findall(text)
        data_file.refs += [(ref, line) for ref in refs]
    return tree


def collect_csv(data_file, addon_name):
    model = data_file.path.stem
    with data_file.path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    if not rows:
        return []
    header = rows[0]
    prefix = addon_name + "."
    records = []
    for number, row in enumerate(rows[1:], start=2):
        values = dict(zip(header, row))
        xml_id = values.get("id", "")
        if xml_id.startswith(prefix):
            xml_id = xml_id[len(prefix) :]
        if xml_id and "." not in xml_id:
            data_file.defines.setdefault(xml_id, number)
        for column, value in values.items():
            if column.endswith((":id", "/id")):
                data_file.refs += [(ref, number) for ref in _xml_id_list(value)]
        records.append((model, number, values))
    return records


# ---------------------------------------------------------------- the checker


class AddonChecker:
    def __init__(self, addon_dir, addons_path=None):
        self.addon = Path(addon_dir)
        self.name = self.addon.resolve().name
        self.addons_path = addons_path or []
        self.findings = []
        self.registry = ModelRegistry()
        self.own_models = []  # ModelClass of this addon
        self.files = []  # DataFile in manifest order, then unlisted ones
        self.trees = {}  # DataFile.rel -> lxml tree
        self.csv_rows = {}  # DataFile.rel -> rows
        self.manifest = {}
        self.views_checked = 0
        self.views_skipped = 0  # model outside what could be read

    def report(self, path, line, code, message):
        self.findings.append(Finding(display(path), line or 1, code, message))

    # -- loading
    def load(self):
        self.manifest = read_manifest(self.addon)
        depends = self.manifest.get("depends", [])
        self.deps, self.deps_complete = dependency_closure(depends, self.addons_path)
        for path in python_files(self.addon):
            for model_class in parse_model_classes(path, self.name):
                self.registry.add(model_class)
                self.own_models.append(model_class)
        for dep in sorted(self.deps):
            module_dir = find_module(dep, self.addons_path) if self.addons_path else None
            if module_dir:
                for path in python_files(module_dir):
                    for model_class in parse_model_classes(path, dep):
                        self.registry.add(model_class)
        self._load_data_files()

    def _load_data_files(self):
        listed = []
        for key, demo in (("data", False), ("demo", True)):
            for rel in self.manifest.get(key, []):
                listed.append((rel, demo))
        seen = set()
        manifest_path = self.addon / "__manifest__.py"
        manifest_lines = manifest_path.read_text(encoding="utf-8").splitlines()
        for index, (rel, demo) in enumerate(listed):
            path = self.addon / rel
            if not path.is_file():
                line = next((n for n, text in enumerate(manifest_lines, 1) if rel in text), 1)
                self.report(manifest_path, line, "CA503", f"manifest lists '{rel}', which does not exist")
                continue
            seen.add(path.resolve())
            self.files.append(DataFile(rel, path, demo, index))
        for path in sorted(self.addon.rglob("*")):
            rel = path.relative_to(self.addon)
            if path.suffix not in (".xml", ".csv") or set(rel.parts[:-1]) & SKIPPED_DIRS:
                continue
            if path.resolve() in seen:
                continue
            self.report(path, 1, "CA501", f"data file '{rel.as_posix()}' is not listed in the manifest")
            self.files.append(DataFile(rel.as_posix(), path, False, -1))
        for data_file in self.files:
            try:
                if data_file.path.suffix == ".xml":
                    self.trees[data_file.rel] = collect_xml(data_file, self.name)
                else:
                    self.csv_rows[data_file.rel] = collect_csv(data_file, self.name)
            except (etree.XMLSyntaxError, csv.Error, UnicodeDecodeError) as exc:
                self.report(data_file.path, getattr(exc, "lineno", 1), "CA002", f"cannot parse file: {exc}")

    # -- helpers
    def implicit_id(self, name):
        """Ids Odoo creates for the addon's models and fields."""
        touched = {m.name.replace(".", "_") for m in self.own_models}
        if name.startswith("model_"):
            return name[len("model_") :] in touched
        if name.startswith(("field_", "selection__")):
            body = name.split("_", 1)[1].lstrip("_")
            return any(body.startswith(model + "__") for model in touched)
        return False

    def records(self, model, files):
        """(data file, <record> element) of every record of ``model`` in ``files``."""
        for data_file in files:
            tree = self.trees.get(data_file.rel)
            for record in tree.iter("record") if tree is not None else ():
                if record.get("model") == model:
                    yield data_file, record

    def loaded(self, include_demo=True):
        return [f for f in self.files if f.index >= 0 and (include_demo or not f.demo)]

    def definitions(self):
        defs = {}
        for data_file in self.loaded():
            for xml_id, line in data_file.defines.items():
                defs.setdefault(xml_id, (data_file, line))
        return defs

    def split_ref(self, ref):
        """(module, name) of a reference, module None for a local one."""
        if "." in ref:
            module, name = ref.split(".", 1)
            return module, name
        return None, ref

    def foreign_ok(self, module):
        return module in self.deps or not self.deps_complete and module not in ("", self.name)

    # -- checks
    def check_access(self):
        covered = set()
        for data_file in self.loaded(include_demo=False):
            for model, _line, values in self.csv_rows.get(data_file.rel, []):
                if model != "ir.model.access":
                    continue
                ref = values.get("model_id:id") or values.get("model_id/id") or ""
                covered.add(ref.split(".")[-1])
        for _data_file, record in self.records("ir.model.access", self.loaded(include_demo=False)):
            for fld in record.iter("field"):
                if fld.get("name") == "model_id" and fld.get("ref"):
                    covered.add(fld.get("ref").split(".")[-1])
        for model_class in self.own_models:
            if not model_class.is_new or model_class.kind == "abstract":
                continue
            if model_class.sql_view:
                self.report(
                    model_class.path,
                    model_class.line,
                    "CA102",
                    f"model '{model_class.name}' reads its rows with SQL (_auto = False) but declares no "
                    "_depends, so Odoo does not flush pending writes before searching it",
                )
            xml_name = "model_" + model_class.name.replace(".", "_")
            if xml_name not in covered:
                self.report(
                    model_class.path,
                    model_class.line,
                    "CA101",
                    f"model '{model_class.name}' has no row in ir.model.access.csv",
                )

    def check_references(self):
        defs = self.definitions()
        data_defs = {}
        for data_file in self.loaded(include_demo=False):
            for xml_id in data_file.defines:
                data_defs.setdefault(xml_id, data_file)
        for data_file in self.loaded():  # unlisted files get CA501 alone
            for ref, line in data_file.refs:
                self._check_one_ref(data_file, ref, line, defs, data_defs)

    def _lookup(self, path, line, ref, defs):
        """Report a reference that cannot resolve. Return the local name when
        it is defined in the addon's own loaded files, else None."""
        module, name = self.split_ref(ref)
        if module is not None and module != self.name:
            if not self.foreign_ok(module):
                self.report(path, line, "CA401", f"'{ref}' belongs to module '{module}', which is not a dependency")
            return None
        if self.implicit_id(name):
            return None
        if name not in defs:
            self.report(path, line, "CA401", f"unknown XML id '{ref}'")
            return None
        return name

    def _check_one_ref(self, data_file, ref, line, defs, data_defs):
        name = self._lookup(data_file.path, line, ref, defs)
        if name is None:
            return
        target, def_line = defs[name]
        if not data_file.demo and name not in data_defs:
            self.report(
                data_file.path,
                line,
                "CA504",
                f"'{ref}' is defined only in demo file '{target.rel}'; installing without demo fails",
            )
        elif target is data_file and def_line > line:
            self.report(
                data_file.path,
                line,
                "CA502",
                f"'{ref}' is used before its definition at line {def_line}",
            )
        elif target.index > data_file.index and not (data_file.demo and not target.demo):
            self.report(
                data_file.path,
                line,
                "CA502",
                f"'{ref}' is defined in '{target.rel}', which the manifest loads after '{data_file.rel}'",
            )

    def check_python(self):
        defs = self.definitions()
        data_defs = {x for f in self.loaded(include_demo=False) for x in f.defines}
        for path in python_files(self.addon, include_tests=True):
            in_tests = "tests" in path.relative_to(self.addon).parts[:-1]
            try:
                tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            except (SyntaxError, UnicodeDecodeError) as exc:
                self.report(path, getattr(exc, "lineno", 1), "CA001", f"cannot parse: {exc}")
                continue
            for node in ast.walk(tree):
                for ref, line in self._python_refs(node):
                    self._check_python_ref(path, ref, line, in_tests, defs, data_defs)
                self._python_deprecations(path, node)

    def _python_refs(self, node):
        if not isinstance(node, ast.Call):
            return
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in PY_REF_METHODS and node.args:
            value = _literal(node.args[0])
            if isinstance(value, str):
                yield value, node.lineno
        if _field_call(node):
            for keyword in node.keywords:
                if keyword.arg == "groups" and isinstance(_literal(keyword.value), str):
                    for ref in _xml_id_list(_literal(keyword.value)):
                        yield ref, node.lineno

    def _check_python_ref(self, path, ref, line, in_tests, defs, data_defs):
        if "." not in ref:
            self.report(path, line, "CA402", f"'{ref}' needs its module prefix ('{self.name}.{ref}')")
            return
        name = self._lookup(path, line, ref, defs)
        if name is not None and not in_tests and name not in data_defs:
            self.report(path, line, "CA504", f"'{ref}' is defined only in demo data; code needs it without demo")

    def _python_deprecations(self, path, node):
        if isinstance(node, ast.Call) and _field_call(node):
            for keyword in node.keywords:
                if keyword.arg == "states":
                    self.report(path, node.lineno, "CA303", "field parameter 'states' is gone in Odoo 17+; use readonly/required expressions in views")
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values):
                if _literal(key) == "view_mode" and "tree" in str(_literal(value) or "").split(","):
                    self.report(path, node.lineno, "CA304", "view_mode 'tree' is 'list' in Odoo 18")

    # -- views
    def view_records(self):
        """(data file, record element, model or None, arch element)."""
        models_by_view = {}
        found = []
        for data_file, record in self.records("ir.ui.view", self.files):
            values = {f.get("name"): f for f in record.findall("field")}
            arch = values.get("arch")
            if arch is None or (values.get("type") is not None and values["type"].text == "qweb"):
                continue
            model = values["model"].text.strip() if values.get("model") is not None and values["model"].text else None
            inherit = values["inherit_id"].get("ref") if values.get("inherit_id") is not None else None
            if record.get("id"):
                models_by_view[record.get("id")] = model
            found.append([data_file, record, model, arch, inherit])
        for item in found:
            if item[2] is None and item[4]:
                module, name = self.split_ref(item[4])
                if module in (None, self.name):
                    item[2] = models_by_view.get(name)
        return [(f, r, m, a) for f, r, m, a, _i in found]

    def check_views(self):
        for data_file, record, model, arch in self.view_records():
            if not any(f.get("name") == "model" for f in record.findall("field")):
                self.report(
                    data_file.path,
                    record.sourceline,
                    "CA203",
                    f"view '{record.get('id')}' has no model field (Odoo 18 does not take it from inherit_id)",
                )
            fields_ = self.registry.fields(model) if model else None
            if fields_ is None:
                self.views_skipped += 1
                continue
            self.views_checked += 1
            for child in (c for c in arch if isinstance(c.tag, str)):
                self._walk_arch(data_file, child, model, fields_)

    def _walk_arch(self, data_file, el, model, fields_):
        if el.tag == "xpath" and SUBVIEW_XPATH.search(el.get("expr", "")):
            return  # inserts into an x2many subview: model unknown here
        if el.tag in VIEW_ROOTS:
            self._root_attributes(data_file, el, model, fields_)
        if el.tag == "filter":
            self._filter_fields(data_file, el, model, fields_)
        if el.tag in ("field", "groupby") and el.get("name"):
            name = el.get("name")
            if name not in fields_:
                self.report(data_file.path, el.sourceline, "CA201", f"field '{name}' does not exist on model '{model}'")
                return
            position = el.get("position")
            if position and position != "inside":
                # a locator in an inherited view: its children sit beside it
                for child in (c for c in el if isinstance(c.tag, str)):
                    self._walk_arch(data_file, child, model, fields_)
                return
            # children of a field form its x2many subview, on the comodel
            comodel = fields_.get(name)
            sub_fields = self.registry.fields(comodel) if comodel else None
            if sub_fields is not None:
                for child in (c for c in el if isinstance(c.tag, str)):
                    self._walk_arch(data_file, child, comodel, sub_fields)
            return
        if el.tag == "progressbar" and el.get("field") and el.get("field") not in fields_:
            self.report(data_file.path, el.sourceline, "CA202", f"progressbar field '{el.get('field')}' does not exist on model '{model}'")
        for child in (c for c in el if isinstance(c.tag, str)):
            self._walk_arch(data_file, child, model, fields_)

    def _root_attributes(self, data_file, el, model, fields_):
        names = []
        for attr in ("default_group_by", "date_start", "date_stop", "date_delay", "color"):
            if el.get(attr) and el.tag != "list":
                names.append((attr, el.get(attr)))
        for part in (el.get("default_order") or "").split(","):
            if part.strip():
                names.append(("default_order", part.split()[0]))
        for attr, name in names:
            if name not in fields_:
                self.report(data_file.path, el.sourceline, "CA202", f"{attr} '{name}' does not exist on model '{model}'")

    def _filter_fields(self, data_file, el, model, fields_):
        names = []
        for match in GROUP_BY.findall(el.get("context") or ""):
            names += [q.split(":")[0] for q in QUOTED.findall(match)]
        if el.get("date"):
            names.append(el.get("date"))
        for name in names:
            if name not in fields_:
                self.report(data_file.path, el.sourceline, "CA202", f"filter uses field '{name}', which does not exist on model '{model}'")

    def check_deprecated_syntax(self):
        for data_file in self.files:
            tree = self.trees.get(data_file.rel)
            if tree is None:
                continue
            for el in _elements(tree.getroot()):
                if el.tag == "tree":
                    self.report(data_file.path, el.sourceline, "CA301", "<tree> is <list> in Odoo 18")
                if "attrs" in el.attrib:
                    self.report(data_file.path, el.sourceline, "CA302", "attrs= is gone in Odoo 17+; use invisible/readonly/required expressions")
                if "states" in el.attrib:
                    self.report(data_file.path, el.sourceline, "CA303", "states= is gone in Odoo 17+; use an invisible expression")
                if el.tag == "field" and el.get("name") == "view_mode" and "tree" in (el.text or "").replace(" ", "").split(","):
                    self.report(data_file.path, el.sourceline, "CA304", "view_mode 'tree' is 'list' in Odoo 18")

    def check_test_imports(self):
        tests_dir = self.addon / "tests"
        init = tests_dir / "__init__.py"
        test_files = sorted(tests_dir.glob("test_*.py"))
        if not test_files:
            return
        imported = set()
        if init.is_file():
            try:
                tree = ast.parse(init.read_text(encoding="utf-8"))
            except SyntaxError:
                tree = ast.Module(body=[], type_ignores=[])
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and node.level == 1:
                    if node.module:
                        imported.add(node.module.split(".")[0])
                    else:
                        imported.update(alias.name for alias in node.names)
        for path in test_files:
            if path.stem not in imported:
                self.report(path, 1, "CA601", f"'{path.stem}' is not imported in tests/__init__.py, so Odoo never runs it")

    def run(self):
        self.load()
        self.check_access()
        self.check_references()
        self.check_python()
        self.check_views()
        self.check_deprecated_syntax()
        self.check_test_imports()
        return sorted(set(self.findings), key=lambda f: (f.path, f.line, f.code, f.message))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("addons", nargs="+", help="addon directories to check")
    parser.add_argument(
        "--addons-path",
        default=os.environ.get("ODOO_ADDONS_PATH", ""),
        help="comma-separated Odoo addons paths used to resolve dependencies "
        "(default: $ODOO_ADDONS_PATH)",
    )
    args = parser.parse_args(argv)
    addons_path = expand_addons_path(args.addons_path)
    total = 0
    for addon in args.addons:
        if not (Path(addon) / "__manifest__.py").is_file():
            parser.error(f"{addon}: no __manifest__.py")
        checker = AddonChecker(addon, addons_path)
        findings = checker.run()
        for finding in findings:
            print(finding)
        total += len(findings)
        source = "dependencies read from the addons path" if addons_path else "no addons path: standard mixins only"
        views = checker.views_checked + checker.views_skipped
        print(
            f"check_addon: {addon}: {len(findings)} finding(s); "
            f"{checker.views_checked}/{views} views checked field by field ({source})"
        )
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
