"""The CWE catalogue: loading MITRE's XML (bundled by cwe2) and the hierarchy queries."""

from __future__ import annotations

import csv
import io
import lzma
import tomllib
import zipfile
from pathlib import Path

import pytest

from patchdesk.engine import policy
from patchdesk.engine.feeds.cwe import (
    NVD_CWE_NOINFO,
    NVD_CWE_OTHER,
    CweCatalog,
    CweKind,
    CweMatch,
    CweMatchKind,
    MappingUsage,
    fetch_cwe_catalog,
    find_cwe_ids,
    get_cwe_catalog,
    load_cwe_catalog,
    normalize_cwe_id,
)
from patchdesk.engine.feeds.http import FetchResult
from patchdesk.engine.feeds.json_fields import FieldError
from patchdesk.engine.policy import CweHierarchy
from patchdesk_testing.paths import shared_data

CWE_DATA = shared_data() / "cwe"


@pytest.fixture(scope="module")
def catalog() -> CweCatalog:
    return get_cwe_catalog()


def test_bundled_catalogue_is_cwe_4_14(catalog: CweCatalog) -> None:
    assert catalog.version == "4.14"
    assert str(catalog.released_on) == "2024-02-29"
    kinds = [entry.kind for entry in catalog.entries.values()]
    assert kinds.count(CweKind.WEAKNESS) == 963
    assert kinds.count(CweKind.CATEGORY) == 409
    assert kinds.count(CweKind.VIEW) == 54
    assert kinds.count(CweKind.SPECIAL) == 2


def test_every_entry_matches_the_derived_hierarchy_table(catalog: CweCatalog) -> None:
    """An independent extraction (cwe_v4.14_hierarchy.csv) agrees on all 1,426 entries."""
    with (CWE_DATA / "cwe_v4.14_hierarchy.csv").open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    assert len(rows) == 1426
    for row in rows:
        entry = catalog.get(row["cwe_id"])
        assert entry is not None, row["cwe_id"]
        assert entry.kind == row["kind"], row["cwe_id"]
        assert entry.name == row["name"], row["cwe_id"]
        assert entry.abstraction == row["abstraction"], row["cwe_id"]
        assert entry.status == row["status"], row["cwe_id"]
        assert entry.mapping_usage == row["mapping_usage"], row["cwe_id"]
        expected = [parent for parent in row["parents_view1000"].split(";") if parent]
        primary = [parent.rstrip("*") for parent in expected if parent.endswith("*")]
        parents = catalog.parents_of(row["cwe_id"])
        assert set(parents) == {parent.rstrip("*") for parent in expected}, row["cwe_id"]
        if primary:
            assert parents[0] == primary[0], row["cwe_id"]
        assert catalog.parents_of(row["cwe_id"], view=699) == (), row["cwe_id"]
        if entry.kind is CweKind.CATEGORY:
            assert ";".join(entry.members) == row["members"], row["cwe_id"]


def test_out_of_bounds_write_descends_from_cwe_119(catalog: CweCatalog) -> None:
    assert catalog.name_of("CWE-787") == "Out-of-bounds Write"
    assert catalog.parents_of(787) == ("CWE-119",)
    assert catalog.ancestors_of("CWE-787") == ("CWE-119", "CWE-118", "CWE-664")
    assert catalog.is_a("CWE-787", "CWE-119")
    assert catalog.is_a("CWE-121", "CWE-787")  # stack overflow is a kind of OOB write
    assert not catalog.is_a("CWE-119", "CWE-787")
    assert catalog.explain("787", "119") == CweMatch(
        cwe_id="CWE-787",
        target_id="CWE-119",
        via=CweMatchKind.ANCESTOR,
        path=("CWE-787", "CWE-119"),
    )
    assert "Execute Unauthorized Code or Commands" in catalog.impacts_of("CWE-787")
    assert "CWE-787" in catalog.children_of("CWE-119")


def test_memory_leak_belongs_to_resource_management_through_its_parent(
    catalog: CweCatalog,
) -> None:
    assert catalog.kind_of("CWE-399") is CweKind.CATEGORY
    assert "CWE-401" not in catalog.members_of("CWE-399")
    match = catalog.explain("CWE-401", "CWE-399")
    assert match is not None
    assert match.via is CweMatchKind.MEMBER
    assert match.path == ("CWE-401", "CWE-772")  # CWE-772 is a listed member
    assert catalog.categories_of("CWE-772", view=699) == ("CWE-399",)


def test_mapping_notes_name_the_weaknesses_that_replace_a_category(catalog: CweCatalog) -> None:
    """CWE-327 is no member of CWE-310 in 4.14; CWE-310's mapping notes point to it."""
    assert "CWE-327" not in catalog.members_of("CWE-310")
    assert catalog.get("CWE-310") is not None
    assert catalog.get("CWE-310").mapping_alternatives == ("CWE-327",)  # type: ignore[union-attr]
    match = catalog.explain("CWE-327", "CWE-310")
    assert match is not None
    assert match.via is CweMatchKind.MAPPING_NOTE
    assert catalog.explain("CWE-328", "CWE-310").via is CweMatchKind.MEMBER  # type: ignore[union-attr]
    assert catalog.is_a("CWE-780", "CWE-310")  # RSA without OAEP, child of CWE-327
    uncontrolled = catalog.explain("CWE-1333", "CWE-399")  # ReDoS, under CWE-400
    assert uncontrolled is not None
    assert uncontrolled.via is CweMatchKind.MAPPING_NOTE
    assert uncontrolled.path[-1] == "CWE-400"
    # Not everything is crypto or resource management.
    assert not catalog.is_a("CWE-79", "CWE-310")
    assert not catalog.is_a("CWE-89", "CWE-399")
    assert not catalog.is_a("CWE-326", "CWE-310")  # under CWE-693 only, in 4.14


def test_policy_weaknesses_are_themselves(catalog: CweCatalog) -> None:
    assert catalog.is_a("CWE-89", "CWE-89")
    assert catalog.explain(89, "CWE-89").via is CweMatchKind.SAME  # type: ignore[union-attr]
    assert catalog.is_a("CWE-564", "CWE-89")  # SQL injection: Hibernate
    assert catalog.is_a("CWE-306", "CWE-287")  # missing authentication
    assert not catalog.is_a("CWE-862", "CWE-287")  # missing authorization is not authn


def test_categories_and_views_are_reported_as_such(catalog: CweCatalog) -> None:
    assert catalog.kind_of("CWE-1000") is CweKind.VIEW
    assert catalog.kind_of("CWE-699") is CweKind.VIEW
    assert catalog.kind_of("CWE-310") is CweKind.CATEGORY
    assert catalog.kind_of("CWE-787") is CweKind.WEAKNESS
    assert catalog.get("CWE-1000").mapping_usage is MappingUsage.PROHIBITED  # type: ignore[union-attr]
    assert catalog.is_a("CWE-399", "CWE-399")
    assert not catalog.is_a("CWE-399", "CWE-310")
    assert not catalog.is_a("CWE-787", "CWE-1000")  # a view contains nothing for is_a
    assert catalog.is_a("CWE-1000", "CWE-1000")


def test_special_unknown_and_deprecated_ids(catalog: CweCatalog) -> None:
    assert catalog.kind_of(NVD_CWE_NOINFO) is CweKind.SPECIAL
    assert catalog.name_of("NVD-CWE-Other") == "Other"
    assert catalog.is_a(NVD_CWE_OTHER, NVD_CWE_OTHER)
    assert not catalog.is_a(NVD_CWE_NOINFO, "CWE-399")
    assert catalog.ancestors_of(NVD_CWE_NOINFO) == ()
    # An id newer than the catalogue is unknown: it only matches itself.
    assert catalog.get("CWE-99999") is None
    assert catalog.name_of("CWE-99999") == ""
    assert not catalog.is_a("CWE-99999", "CWE-119")
    assert not catalog.is_a("CWE-787", "CWE-99999")
    assert catalog.is_a("CWE-99999", "CWE-99999")
    with pytest.raises(ValueError, match="not a CWE id"):
        catalog.is_a("CWE-787", "Buffer overflow")
    # A deprecated entry is followed to its replacement.
    deprecated = catalog.get("CWE-1187")
    assert deprecated is not None
    assert deprecated.is_deprecated
    assert deprecated.mapping_usage is MappingUsage.PROHIBITED
    assert deprecated.replaced_by == ("CWE-908",)
    assert catalog.explain("CWE-1187", "CWE-665") == CweMatch(
        cwe_id="CWE-1187",
        target_id="CWE-665",
        via=CweMatchKind.ANCESTOR,
        path=("CWE-1187", "CWE-908", "CWE-665"),
    )
    assert catalog.is_a("CWE-1187", "CWE-399")  # CWE-908 is a member


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("CWE-787", "CWE-787"),
        ("cwe-787", "CWE-787"),
        (" 787 ", "CWE-787"),
        ("CWE-0079", "CWE-79"),
        ("NVD-CWE-noinfo", NVD_CWE_NOINFO),
        ("CWE-noinfo", NVD_CWE_NOINFO),
        ("nvd-cwe-other", NVD_CWE_OTHER),
    ],
)
def test_normalize_cwe_id(text: str, expected: str) -> None:
    assert normalize_cwe_id(text) == expected


@pytest.mark.parametrize("text", ["", "CWE-", "CWE-0", "CWE-78a", "XSS", "CVE-2024-1", "-1"])
def test_malformed_cwe_ids_raise(text: str) -> None:
    with pytest.raises(ValueError, match="not a CWE id"):
        normalize_cwe_id(text)


def test_normalize_cwe_id_rejects_bad_numbers() -> None:
    assert normalize_cwe_id(416) == "CWE-416"
    with pytest.raises(ValueError, match="not a CWE id"):
        normalize_cwe_id(0)


def test_find_cwe_ids_in_free_text() -> None:
    assert find_cwe_ids("Use After Free (CWE-416)") == ("CWE-416",)
    assert find_cwe_ids(" CWE-787: Out-of-bounds Write") == ("CWE-787",)
    assert find_cwe_ids("cwe-787 Out-of-bounds Write") == ("CWE-787",)
    assert find_cwe_ids("CWE-noinfo Not enough information") == (NVD_CWE_NOINFO,)
    assert find_cwe_ids("CWE-122 and CWE-787, CWE-122") == ("CWE-122", "CWE-787")
    assert find_cwe_ids("Denial of Service") == ()
    assert find_cwe_ids("SUBCWE-12 or CWE-12a") == ()


def test_the_shared_xml_copy_loads_to_an_equal_catalogue(catalog: CweCatalog) -> None:
    """Same input twice, equal result; .xz is read transparently."""
    copy = load_cwe_catalog(CWE_DATA / "cwec_v4.14.xml.xz")
    assert copy == catalog
    assert copy is not catalog


def test_catalogue_is_immutable(catalog: CweCatalog) -> None:
    with pytest.raises(AttributeError):
        catalog.version = "5"  # type: ignore[misc]
    with pytest.raises(TypeError):
        catalog.entries["CWE-1"] = catalog.entries["CWE-787"]  # type: ignore[index]


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_bytes(lzma.compress(text.encode()) if name.endswith(".xz") else text.encode())
    return path


_HEADER = '<Weakness_Catalog Name="CWE" Version="9.9" Date="2030-01-01" '
_NS = 'xmlns="http://cwe.mitre.org/cwe-7">'


def test_a_small_catalogue(tmp_path: Path) -> None:
    xml = (
        f"{_HEADER}{_NS}<Weaknesses>"
        '<Weakness ID="2" Name="Child" Abstraction="Base" Status="Draft">'
        '<Related_Weaknesses><Related_Weakness Nature="ChildOf" CWE_ID="1" View_ID="1000" '
        'Ordinal="Primary"/></Related_Weaknesses>'
        "<Mapping_Notes><Usage>Allowed</Usage></Mapping_Notes></Weakness>"
        '<Weakness ID="1" Name="Root" Abstraction="Pillar" Status="Draft">'
        "<Mapping_Notes><Usage>Discouraged</Usage></Mapping_Notes></Weakness>"
        "</Weaknesses><Categories>"
        '<Category ID="3" Name="Group" Status="Draft"><Relationships>'
        '<Has_Member CWE_ID="1" View_ID="699"/></Relationships>'
        "<Mapping_Notes><Usage>Prohibited</Usage></Mapping_Notes></Category>"
        "</Categories><External_References/></Weakness_Catalog>"
    )
    small = load_cwe_catalog(_write(tmp_path, "small.xml.xz", xml))
    assert small.version == "9.9"
    assert small.is_a("CWE-2", "CWE-3")
    assert small.explain("CWE-2", "CWE-3").path == ("CWE-2", "CWE-1")  # type: ignore[union-attr]
    assert small.get("CWE-1").mapping_usage is MappingUsage.DISCOURAGED  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("this is not xml", "not valid CWE XML"),
        ("<Other/>", "not a CWE catalogue"),
        (f"{_HEADER}{_NS}<Weaknesses><Weakness ID=", "not valid CWE XML"),
        (
            f'{_HEADER}{_NS}<Weaknesses><Weakness ID="x" Name="n"/></Weaknesses>'
            "</Weakness_Catalog>",
            "non-numeric ID",
        ),
        (
            f'{_HEADER}{_NS}<Weaknesses><Weakness ID="1" Name="n"><Mapping_Notes><Usage>Maybe'
            "</Usage></Mapping_Notes></Weakness></Weaknesses></Weakness_Catalog>",
            "unknown mapping usage",
        ),
    ],
)
def test_malformed_catalogues_raise(tmp_path: Path, text: str, reason: str) -> None:
    with pytest.raises(FieldError, match=reason):
        load_cwe_catalog(_write(tmp_path, "bad.xml", text))


def test_the_hierarchy_csv_is_readable() -> None:
    """Guard: the shared table used above is the 4.14 one."""
    head = (CWE_DATA / "cwe_v4.14_hierarchy.csv").read_text(encoding="utf-8")[:200]
    assert next(csv.reader(io.StringIO(head)))[0] == "cwe_id"


def test_the_catalogue_is_the_policy_s_cwe_hierarchy(catalog: CweCatalog) -> None:
    """The policy engine asks ``is_a`` through its protocol; every CWE its default policy
    names is a weakness, category or NVD placeholder the catalogue knows."""
    hierarchy: CweHierarchy = catalog
    policy_file = Path(policy.__file__).parent / "default_policy.toml"
    document = tomllib.loads(policy_file.read_text(encoding="utf-8"))
    named = set(document["cwe"]["generic"])
    for rule in document["rules"]:
        named.update(rule["cwe"])
    assert "CWE-399" in named
    for cwe_id in sorted(named):
        assert catalog.kind_of(cwe_id) in {CweKind.WEAKNESS, CweKind.CATEGORY, CweKind.SPECIAL}
        assert hierarchy.is_a(cwe_id, cwe_id)
    assert hierarchy.is_a("CWE-401", "CWE-399")


class _RecordingClient:
    def __init__(self, body: bytes) -> None:
        self.body = body
        self.urls: list[str] = []

    def fetch(
        self,
        url: str,
        *,
        destination: Path,
        etag: str = "",
        last_modified: str = "",
        expected_sha256: str = "",
        max_bytes: int | None = None,
    ) -> FetchResult:
        self.urls.append(url)
        destination.write_bytes(self.body)
        return FetchResult(url=url, path=destination, size=len(self.body))


def test_mitre_s_zip_is_read(tmp_path: Path) -> None:
    xml = (
        f'{_HEADER}{_NS}<Weaknesses><Weakness ID="1" Name="Root" Abstraction="Pillar" '
        'Status="Draft"><Mapping_Notes><Usage>Discouraged</Usage></Mapping_Notes></Weakness>'
        "</Weaknesses></Weakness_Catalog>"
    )
    bundle = tmp_path / "source.zip"
    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("cwec_v9.9.xml", xml)
    client = _RecordingClient(bundle.read_bytes())
    fetched = fetch_cwe_catalog(client, tmp_path / "cwec_latest.xml.zip")
    assert client.urls == ["https://cwe.mitre.org/data/xml/cwec_latest.xml.zip"]
    assert fetched.path is not None
    catalog = load_cwe_catalog(fetched.path)
    assert (catalog.version, catalog.name_of("CWE-1")) == ("9.9", "Root")
    empty = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("README.txt", "nothing")
    with pytest.raises(FieldError, match=r"holds no \.xml file"):
        load_cwe_catalog(empty)
