"""What Odoo's database manager would ask on a new database, taken from the environment.

deploy/odoo/entrypoint.sh pipes this into ``odoo shell`` once the database exists,
before the addon is installed and before the server serves anything:

* ``ODOO_ADMIN_PASSWORD`` (required, 8 characters or more) replaces the administrator's
  default password ``admin``;
* ``ODOO_LANGUAGE`` (when that language is loaded) becomes the administrator's language;
* ``ODOO_COUNTRY`` (an ISO code, SA by default) becomes the main company's country, with
  its currency and, when the country has one, its time zone for the administrator.

It runs once: the parameter ``deploy.first_start_done`` records it, in the same
transaction, and later starts leave the administrator's changes alone.
"""

import os

import pytz

MARKER = "deploy.first_start_done"
MIN_PASSWORD_LENGTH = 8


def first_start(env, environ):
    """Apply the settings once. Returns what changed (empty when it ran before)."""
    params = env["ir.config_parameter"].sudo()
    if params.get_param(MARKER):
        return []
    password = environ.get("ODOO_ADMIN_PASSWORD") or ""
    if len(password) < MIN_PASSWORD_LENGTH or password == "admin":
        raise SystemExit(
            "first start: set ODOO_ADMIN_PASSWORD (%d characters or more, not 'admin'): it replaces "
            "the administrator's default password before Odoo serves anything" % MIN_PASSWORD_LENGTH
        )
    admin = env.ref("base.user_admin").sudo()
    values = {"password": password}
    changes = ["set the administrator's password"]
    lang = environ.get("ODOO_LANGUAGE")
    if lang and env["res.lang"]._lang_get(lang):
        values["lang"] = lang
        changes.append("administrator's language: %s" % lang)
    code = (environ.get("ODOO_COUNTRY") or "").strip().upper()
    if code:
        country = env["res.country"].search([("code", "=", code)], limit=1)
        if not country:
            raise SystemExit("first start: ODOO_COUNTRY=%r is not an ISO country code Odoo knows" % code)
        company = env.ref("base.main_company").sudo()
        company_values = {"country_id": country.id}
        currency = country.currency_id
        if currency and currency != company.currency_id and _has_journal_items(env, company):
            # accounting already holds entries in the current currency (a database
            # that had Odoo's accounting before this start): it stays
            changes.append("main company's currency kept: %s (journal items exist)" % company.currency_id.name)
            currency = company.currency_id
        elif currency:
            currency.sudo().active = True
            company_values["currency_id"] = currency.id
        company.write(company_values)
        changes.append("main company: %s, %s" % (country.name, currency.name or "no currency"))
        zones = pytz.country_timezones.get(code, [])
        if len(zones) == 1:
            values["tz"] = zones[0]
    admin.write(values)
    params.set_param(MARKER, "1")
    env.cr.commit()
    return changes


def _has_journal_items(env, company):
    """Odoo refuses a new company currency once journal items exist."""
    if "account.move.line" not in env:
        return False
    return bool(env["account.move.line"].sudo().search_count([("company_id", "=", company.id)], limit=1))


if __name__ == "__main__":
    # odoo shell defines env
    for change in first_start(env, os.environ):  # noqa: F821  # pylint: disable=undefined-variable
        print("first start: %s" % change)
