"""A small registry made in the tests themselves, and staff users of each group, for the admin.

Nothing here depends on ``load_demo``: each test builds exactly the rows it needs. Titles are
made as the registry makes them, through ``champions.services.designations``: a title's status
is never typed.
"""

import datetime
from html.parser import HTMLParser
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from champions.admin.concurrency import edit_token
from champions.history import recording_import_run
from champions.models import (
    Batch,
    Designation,
    DisclosureRule,
    EventKind,
    Expert,
    FiguresYear,
    FormerName,
    ImportRun,
    Industry,
    Notice,
    Organisation,
    ProvinceCount,
    Recommendation,
    Region,
    RuleVersion,
    Seminar,
    Target,
    Tier,
    YearlyFigures,
)
from champions.services.designations import award
from champions.services.recommendations import move

PASSWORD = "pw-for-tests"


def admin_url(model, view="changelist", *args):
    """``/admin/champions/<model>/...`` for one of the admin's views."""
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def make_member(group_name, username=None):
    """A staff user who belongs to ``group_name`` only."""
    user = get_user_model().objects.create_user(
        username or group_name.lower().replace(" ", "_"), password=PASSWORD, is_staff=True
    )
    user.groups.add(Group.objects.get(name=group_name))
    return user


def make_sample(make_enterprise, national_batch):
    """At least one row of every model, each findable by the search term in ``terms``."""
    enterprise = make_enterprise(
        name="温州示例泵阀(集团)有限公司",
        industry=Industry.objects.get(code="pumps_valves"),
        main_product="高压阀门",
        founded=1998,
    )
    former_name = FormerName.objects.create(enterprise=enterprise, name="瓯海旧名阀门（集团）厂")
    notice = Notice.objects.create(
        title="第六批制造业单项冠军示例名单",
        document="工信部联企业函〔2021〕999号",
        authority="工业和信息化部",
        published_on=datetime.date(2021, 11, 20),
        kind=EventKind.AWARD,
        tier=national_batch.tier,
        batch=national_batch,
    )
    designation = award(
        enterprise,
        national_batch.tier,
        batch=national_batch,
        year=2021,
        happened_on=notice.published_on,
        notice=notice,
    )
    event = designation.events.get()
    other = make_enterprise(name="乐清示例电气有限公司")
    recommendation = Recommendation.objects.create(enterprise=other, batch=national_batch)
    stage_move = move(recommendation, "nominated", note="第一次推荐")
    organisation = Organisation.objects.create(name="中国工业经济联合会")
    expert = Expert.objects.create(name="张示例", affiliation="某大学教授")
    seminar = Seminar.objects.create(
        title="单项冠军培育座谈会", held_on=datetime.date(2021, 7, 12), place="温州"
    )
    seminar.sponsors.add(organisation)
    seminar.experts.add(expert)
    seminar.participants.add(enterprise)
    figures = YearlyFigures.objects.create(enterprise=enterprise, year=2020, output_value=150000)
    target = Target.objects.create(
        code="over_1bn",
        name="产值超十亿元企业",
        metric=Target.Metric.ENTERPRISES_OVER,
        threshold=100000,
        goal=100,
        deadline_year=2025,
    )
    province_count = ProvinceCount.objects.create(
        region=Region.objects.get(code="330300"), tier=national_batch.tier, year=2021, count=10
    )
    import_run = ImportRun.objects.create(
        kind="enterprises", file_name="示例名单.csv", sha256="0" * 64
    )
    # The eligibility criteria migration 0012 seeds: any version and its first condition.
    rule_version = RuleVersion.objects.order_by("pk").first()
    # The disclosure rule migration 0013 records, and a year closed by staff.
    disclosure_rule = DisclosureRule.objects.order_by("pk").first()
    figures_year = FiguresYear.objects.create(year=2020, note="示例关账年度")
    condition = rule_version.conditions.order_by("position", "pk").first()
    rows = SimpleNamespace(
        region=Region.objects.get(code="330302"),
        industry=enterprise.industry,
        tier=national_batch.tier,
        batch=national_batch,
        enterprise=enterprise,
        former_name=former_name,
        designation=designation,
        notice=notice,
        event=event,
        recommendation=recommendation,
        stage_move=stage_move,
        organisation=organisation,
        expert=expert,
        seminar=seminar,
        figures=figures,
        target=target,
        province_count=province_count,
        import_run=import_run,
    )
    # A search term for each registered model that finds the sample row.
    rows.terms = {
        Region: (rows.region, "鹿城"),
        Industry: (rows.industry, rows.industry.name),
        Tier: (rows.tier, "单项冠军"),
        Batch: (national_batch, "2021"),
        type(enterprise): (enterprise, "示例泵阀"),
        Designation: (designation, "示例泵阀"),
        Notice: (notice, "〔2021〕999号"),
        type(event): (event, "示例泵阀"),
        Recommendation: (recommendation, "乐清示例"),
        type(stage_move): (stage_move, "乐清示例"),
        Organisation: (organisation, "工业经济"),
        Expert: (expert, "张示例"),
        Seminar: (seminar, "座谈会"),
        YearlyFigures: (figures, "示例泵阀"),
        Target: (target, "十亿"),
        ProvinceCount: (province_count, "温州"),
        ImportRun: (import_run, "示例名单"),
        RuleVersion: (rule_version, rule_version.name),
        type(condition): (condition, condition.code),
        DisclosureRule: (disclosure_rule, ""),
        FiguresYear: (figures_year, "示例关账"),
    }
    return rows


def make_rows(count, make_enterprise, tier, start=0):
    """``count`` enterprises, each with a designation and a recommendation in a batch of its own.

    Every row brings new batches, regions and industries into the lists' filters too, so a list
    whose cost grows with them fails the query-count tests.
    """
    regions = list(Region.objects.filter(parent_id="330300"))
    industries = list(Industry.objects.all())
    for number in range(start + 1, start + count + 1):
        enterprise = make_enterprise(
            region=regions[number % len(regions)], industry=industries[number % len(industries)]
        )
        FormerName.objects.create(enterprise=enterprise, name=f"旧名{number}")
        batch = Batch.objects.create(tier=tier, number=number, year=2000 + number % 25)
        Designation.objects.create(enterprise=enterprise, tier=tier, batch=batch, year=batch.year)
        YearlyFigures.objects.create(enterprise=enterprise, year=2020, output_value=number)
        recommendation = Recommendation.objects.create(enterprise=enterprise, batch=batch)
        move(recommendation, "nominated")


def change_by_import(obj, **changes):
    """Change ``obj`` as an import run would, and return that run."""
    run = ImportRun.objects.create(kind="enterprises", file_name="更新.csv", sha256="1" * 64)
    with recording_import_run(run):
        for field, value in changes.items():
            setattr(obj, field, value)
        obj.save()
    return run


def management_form(prefix, initial, rows):
    """POST data of an inline formset with ``rows`` (dicts of field values) as new rows."""
    data = {
        f"{prefix}-TOTAL_FORMS": initial + len(rows),
        f"{prefix}-INITIAL_FORMS": initial,
        f"{prefix}-MIN_NUM_FORMS": 0,
        f"{prefix}-MAX_NUM_FORMS": 1000,
    }
    for index, row in enumerate(rows, start=initial):
        data.update({f"{prefix}-{index}-{field}": value for field, value in row.items()})
    return data


#: Prefixes of the inlines on the enterprise form.
ENTERPRISE_INLINES = ("former_names", "designations", "recommendations", "figures")


def enterprise_form_data(name, region, credit_code=""):
    """POST data of the enterprise form for a firm with no rows in any inline."""
    data = {
        "name": name,
        "credit_code": credit_code,
        "region": region.pk,
        "industry": "",
        "main_product": "",
        "founded": "",
    }
    for prefix in ENTERPRISE_INLINES:
        data.update(management_form(prefix, 0, []))
    return data


def opened(obj):
    """What a change form opened now would post back: the record's edit token."""
    obj.refresh_from_db(fields=["updated_at"])
    return {"edit_token": edit_token(obj.updated_at)}


class _ChangeFormFields(HTMLParser):
    """The values the browser would post from the form with id ``form_id``, as rendered."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id = form_id
        self.data = {}
        self._in_form = False
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "form":
            self._in_form = attrs.get("id") == self.form_id
        elif not self._in_form or (tag != "option" and not name):
            return
        elif tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.data[name] = attrs.get("value", "on")
            elif kind not in ("submit", "button", "file"):
                self.data[name] = attrs.get("value", "")
        elif tag == "select":
            self._select = name
            if "multiple" in attrs:
                self.data[name] = []
        elif tag == "option" and self._select and "selected" in attrs:
            value = attrs.get("value", "")
            if isinstance(self.data.get(self._select), list):
                self.data[self._select].append(value)
            else:
                self.data[self._select] = value
        elif tag == "textarea":
            self._textarea = name
            self.data[name] = ""

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            # The browser drops the newline Django writes after the opening tag.
            self.data[self._textarea] = self.data[self._textarea].removeprefix("\n")
            self._textarea = None


def posted_back(response):
    """What saving the admin change form of ``response`` unchanged would post.

    Read from the page itself, so it holds exactly what the page carries: the management forms
    of the inlines and every row's hidden fields (keys, edit tokens) included.
    """
    fields = _ChangeFormFields(f"{response.context['opts'].model_name}_form")
    fields.feed(response.content.decode())
    return fields.data
