"""The SSB PxWebApi v2 client against recorded-style responses: no sockets, no network."""

from __future__ import annotations

import email.message
import io
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from resilience.cli import main
from resilience.data import (
    SSBClient,
    SSBRequestError,
    SSBResponseError,
    fetch_employment_by_workplace,
    fetch_life_table,
    fetch_population,
    fetch_population_changes,
    municipality_population,
    refresh_population,
)
from resilience.data.build import MUNICIPALITIES_FILE
from resilience.data.ssb_client import USER_AGENT, parse_jsonstat2

FIXTURES = Path(__file__).parent / "fixtures" / "ssb"


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def fixture_json(name: str) -> Any:
    return json.loads(fixture_bytes(name))


class FakeResponse:
    def __init__(self, body: bytes, status: int = 200) -> None:
        self.status = status
        self.headers = email.message.Message()
        self._body = body

    def read(self) -> bytes:
        return self._body

    def close(self) -> None:
        pass


Reply = bytes | tuple[int, bytes] | Exception


class FakeOpener:
    """urllib's ``open(request, timeout=...)``, answering from a list or from a function of the URL."""

    def __init__(self, replies: list[Reply] | Callable[[str], Reply]) -> None:
        self.replies = replies
        self.requests: list[urllib.request.Request] = []

    @property
    def urls(self) -> list[str]:
        return [urllib.parse.unquote(request.full_url) for request in self.requests]

    def open(self, request: urllib.request.Request, data: None = None, timeout: float = 0) -> FakeResponse:
        self.requests.append(request)
        reply = self.replies(request.full_url) if callable(self.replies) else self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        if isinstance(reply, tuple):
            status, body = reply
            if status >= 400:
                headers = email.message.Message()
                raise urllib.error.HTTPError(request.full_url, status, "error", headers, io.BytesIO(body))
            return FakeResponse(body, status)
        return FakeResponse(reply)


def client_for(opener: FakeOpener, **options: Any) -> tuple[SSBClient, list[float]]:
    slept: list[float] = []
    client = SSBClient(opener=opener, min_interval=0, sleep=slept.append, **options)
    return client, slept


def route_small_country(url: str) -> Reply:
    if "/metadata" in url:
        return fixture_bytes("07459_metadata_small.json")
    return fixture_bytes("07459_two_municipalities.json")


# --- parsing ------------------------------------------------------------------------------------------------


def test_fetch_population_equals_the_bundled_traena_2024():
    opener = FakeOpener([fixture_bytes("07459_traena_2024.json")])
    client, _ = client_for(opener)

    frame = fetch_population(client, ["1835"], [2024])

    expected = municipality_population("1835", 2024)
    assert frame.columns.tolist() == ["kommunenummer", "year", "sex", "age", "persons"]
    for sex, counts in (("male", expected.males), ("female", expected.females)):
        rows = frame[(frame["sex"] == sex) & (frame["kommunenummer"] == "1835") & (frame["year"] == 2024)]
        got = np.zeros(106, dtype=np.int64)
        got[rows["age"].to_numpy()] = rows["persons"].to_numpy()
        np.testing.assert_array_equal(got, counts)
    assert int(frame["persons"].sum()) == 442


def test_fetch_population_has_the_bundled_dtypes():
    from resilience.data import population_table

    client, _ = client_for(FakeOpener([fixture_bytes("07459_traena_2024.json")]))
    frame = fetch_population(client, ["1835"], [2024])
    bundled = population_table()
    bundled = bundled[(bundled["kommunenummer"] == "1835") & (bundled["year"] == 2024)].reset_index(drop=True)
    assert frame.dtypes.astype(str).tolist() == bundled.dtypes.astype(str).tolist()
    pd.testing.assert_frame_equal(
        frame.astype({"kommunenummer": str, "sex": str}), bundled.astype({"kommunenummer": str, "sex": str})
    )


def test_request_url_has_the_value_codes_and_a_user_agent():
    opener = FakeOpener([fixture_bytes("07459_traena_2024.json")])
    client, _ = client_for(opener)
    fetch_population(client, ["1835"], [2024])

    (request,) = opener.requests
    url = urllib.parse.unquote(request.full_url)
    assert url.startswith("https://data.ssb.no/api/pxwebapi/v2/tables/07459/data?")
    for part in (
        "lang=en",
        "outputFormat=json-stat2",
        "valueCodes[Region]=K-1835",
        "valueCodes[Kjonn]=1,2",
        "valueCodes[Alder]=" + ",".join([f"{a:03d}" for a in range(105)] + ["105+"]),
        "valueCodes[ContentsCode]=Personer1",
        "valueCodes[Tid]=2024",
    ):
        assert part in url.split("?", 1)[1].split("&"), part
    assert "resilience" in request.get_header("User-agent")
    assert request.get_header("User-agent") == USER_AGENT


def test_plus_in_a_code_is_encoded():
    client = SSBClient(opener=FakeOpener([]))
    url = client.data_url("07459", {"Alder": ["105+"]})
    assert "105%2B" in url and "105+" not in url


def test_generic_fetch_has_code_label_and_value_columns():
    client, _ = client_for(FakeOpener([fixture_bytes("07459_traena_2024.json")]))
    frame = client.fetch("07459", {"Region": ["K-1835"], "Tid": ["2024"]})
    assert frame.columns.tolist() == [
        "Region",
        "Kjonn",
        "Alder",
        "ContentsCode",
        "Tid",
        "Region_label",
        "Kjonn_label",
        "Alder_label",
        "ContentsCode_label",
        "Tid_label",
        "value",
    ]
    assert len(frame) == 212
    assert frame.loc[0, "Region_label"] == "Træna"
    assert frame["Alder"].iloc[-1] == "105+"
    assert frame.attrs["ssb"]["source"] == "Statistics Norway"


def test_index_as_list_and_sparse_values_are_understood():
    document = {
        "version": "2.0",
        "class": "dataset",
        "id": ["A", "B"],
        "size": [2, 2],
        "dimension": {
            "A": {"category": {"index": ["x", "y"], "label": {"x": "X", "y": "Y"}}},
            "B": {"category": {"index": {"p": 1, "q": 0}, "label": {"p": "P", "q": "Q"}}},
        },
        "value": {"0": 1, "3": 4},
    }
    frame = parse_jsonstat2(document)
    assert frame[["A", "B"]].values.tolist() == [["x", "q"], ["x", "p"], ["y", "q"], ["y", "p"]]
    assert frame["value"].tolist()[0] == 1 and np.isnan(frame["value"].tolist()[1])


# --- bad answers --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reply", "words"),
    [
        ((400, fixture_bytes("error_400.json")), ["07459", "HTTP 400", "Non-existent value code", "data.ssb.no"]),
        (fixture_bytes("error_400.json"), ["07459", "error", "Bad Request", "K-9999"]),
        (fixture_bytes("07459_traena_2024_truncated.json"), ["07459", "not JSON"]),
        (fixture_bytes("not_json.html"), ["not JSON", "502 Bad Gateway"]),
        ((502, fixture_bytes("not_json.html")), ["HTTP 502", "502 Bad Gateway"]),
        (fixture_bytes("07459_size_mismatch.json"), ["truncated or partial", "212", "150"]),
        (b'{"version": "2.0", "class": "collection"}', ["not a JSON-stat2 dataset"]),
        (b"[1, 2]", ["expected a JSON-stat2 object"]),
        (urllib.error.URLError("Name or service not known"), ["could not reach SSB", "Name or service"]),
    ],
)
def test_bad_answers_raise_a_clear_error(reply, words):
    client, _ = client_for(FakeOpener([reply]))
    with pytest.raises(SSBResponseError) as caught:
        fetch_population(client, ["1835"], [2024])
    message = str(caught.value)
    assert "\n" not in message
    for word in words:
        assert word in message, (word, message)


def _mutated(change: Callable[[dict[str, Any]], None]) -> bytes:
    document = fixture_json("07459_traena_2024.json")
    change(document)
    return json.dumps(document).encode()


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: d["dimension"].pop("Alder"), ["partial response", "Alder"]),
        (lambda d: (d["id"].remove("Tid"), d["size"].pop()), ["partial response", "Tid"]),
        (lambda d: d["size"].__setitem__(2, 107), ["'size' says 107", "Alder"]),
        (lambda d: d["dimension"]["Kjonn"]["category"].pop("label"), []),
        (lambda d: d["dimension"]["Kjonn"]["category"]["label"].pop("2"), ["no label", "Kjonn"]),
        (lambda d: d["dimension"]["Kjonn"]["category"].update(index={"1": 0, "2": 5}), ["positions"]),
        (lambda d: d["value"].__setitem__(3, "x"), ["non-numeric"]),
        (lambda d: d.pop("value"), ["'value' is missing"]),
    ],
)
def test_malformed_documents_raise(change, words):
    client, _ = client_for(FakeOpener([_mutated(change)]))
    try:
        fetch_population(client, ["1835"], [2024])
    except SSBResponseError as error:
        for word in words:
            assert word in str(error), (word, str(error))
    else:
        # Only a missing label map is acceptable: JSON-stat lets labels default to codes.
        assert not words


# --- politeness ---------------------------------------------------------------------------------------------


def test_retries_on_429_then_succeeds():
    opener = FakeOpener([(429, b"slow down"), (503, b""), fixture_bytes("07459_traena_2024.json")])
    client, slept = client_for(opener)
    frame = fetch_population(client, ["1835"], [2024])
    assert int(frame["persons"].sum()) == 442
    assert len(opener.requests) == 3
    assert slept == [2.0, 4.0]


def test_retries_stop_after_three():
    opener = FakeOpener([(429, b"")] * 10)
    client, slept = client_for(opener)
    with pytest.raises(SSBResponseError, match=r"HTTP 429 .*after 4 attempts") as caught:
        fetch_population(client, ["1835"], [2024])
    assert caught.value.status == 429
    assert len(opener.requests) == 4
    assert len(slept) == 3


def test_other_http_errors_are_not_retried():
    opener = FakeOpener([(404, b"not found")] * 3)
    client, _ = client_for(opener)
    with pytest.raises(SSBResponseError, match="HTTP 404"):
        fetch_population(client, ["1835"], [2024])
    assert len(opener.requests) == 1


def test_requests_are_spaced_out():
    slept: list[float] = []
    now = [100.0]
    opener = FakeOpener([fixture_bytes("07459_traena_2024.json")] * 2)
    client = SSBClient(opener=opener, sleep=slept.append, clock=lambda: now[0])
    fetch_population(client, ["1835"], [2024])
    fetch_population(client, ["1835"], [2024])
    assert slept == [pytest.approx(2.1)]


def _traena_year(year: int) -> bytes:
    document = fixture_json("07459_traena_2024.json")
    document["dimension"]["Tid"]["category"] = {"index": {str(year): 0}, "label": {str(year): str(year)}}
    return json.dumps(document).encode()


def test_cell_guard_splits_a_large_request_by_year():
    opener = FakeOpener(lambda url: _traena_year(int(urllib.parse.unquote(url).rsplit("valueCodes[Tid]=", 1)[1][:4])))
    client, _ = client_for(opener, max_cells=300)  # one year of Træna is 212 cells, two are 424

    frame = fetch_population(client, ["1835"], [2023, 2024])

    assert [url.rsplit("valueCodes[Tid]=", 1)[1] for url in opener.urls] == ["2023", "2024"]
    assert sorted(frame["year"].unique().tolist()) == [2023, 2024]
    assert int(frame.loc[frame["year"] == 2024, "persons"].sum()) == 442


def test_cell_guard_puts_as_many_years_in_a_request_as_fit():
    opener = FakeOpener(lambda url: _traena_year(2024))
    client, _ = client_for(opener, max_cells=500)  # two years of Træna (424 cells) fit, three do not
    ages = [f"{age:03d}" for age in range(105)] + ["105+"]
    selection = {"Region": ["K-1835"], "Kjonn": ["1", "2"], "Alder": ages, "Tid": ["2022", "2023", "2024"]}
    client.fetch("07459", selection)
    assert [url.rsplit("valueCodes[Tid]=", 1)[1] for url in opener.urls] == ["2022,2023", "2024"]


def test_cell_guard_counts_wildcards_from_the_metadata():
    opener = FakeOpener(route_small_country)
    client, _ = client_for(opener, max_cells=700)  # 3 regions × 2 × 106 = 636 a year
    client.fetch("07459", {"Region": ["*"], "Kjonn": ["1", "2"], "Alder": ["*"], "Tid": ["2023", "2024"]})
    data_urls = [url for url in opener.urls if "/data?" in url]
    assert len(data_urls) == 2
    assert sum("/metadata?" in url for url in opener.urls) == 1


def test_one_year_above_the_cell_limit_is_refused_before_any_data_request():
    opener = FakeOpener(route_small_country)
    client, _ = client_for(opener, max_cells=100)
    with pytest.raises(SSBRequestError, match="one year"):
        client.fetch("07459", {"Region": ["*"], "Alder": ["*"], "Tid": ["2024"]})
    assert not any("/data?" in url for url in opener.urls)


def test_long_code_lists_are_split_to_keep_the_url_short():
    codes = [f"{n:04d}" for n in range(1000, 1400)]
    opener = FakeOpener(lambda url: _traena_year(2024))
    client, _ = client_for(opener)
    client.fetch("07459", {"Region": codes, "Tid": ["2024"]})
    assert len(opener.requests) > 1
    assert all(len(request.full_url) <= 2000 for request in opener.requests)
    sent = [code for url in opener.urls for code in url.split("valueCodes[Region]=")[1].split("&")[0].split(",")]
    assert sent == codes


# --- the other tables ---------------------------------------------------------------------------------------


def test_population_changes():
    opener = FakeOpener([fixture_bytes("06913_traena_2023.json")])
    client, _ = client_for(opener)
    frame = fetch_population_changes(client, ["1835"], [2023])
    assert frame.to_dict("records") == [
        {"kommunenummer": "1835", "year": 2023, "births": 3, "deaths": 5, "in_migration": 30, "out_migration": 29}
    ]
    assert "valueCodes[ContentsCode]=Levende,Dode,Innflyttinger,Utflyttinger" in opener.urls[0]


def test_employment_by_workplace():
    # ContentsCode=* needs the metadata to count cells; a dataset document serves as metadata here.
    opener = FakeOpener(lambda url: fixture_bytes("11616_traena_2023.json"))
    client, _ = client_for(opener)
    frame = fetch_employment_by_workplace(client, ["1835"], [2023])
    assert frame[["kommunenummer", "year", "contents", "value"]].to_dict("records") == [
        {"kommunenummer": "1835", "year": 2023, "contents": "Sysselsatte", "value": 250.0}
    ]
    assert "/tables/11616/metadata?" in opener.urls[0]
    assert "/tables/11616/data?" in opener.urls[1]
    with pytest.raises(SSBRequestError):
        fetch_employment_by_workplace(client, ["1835"], [2023], table="07459")


def test_life_table_finds_the_age_dimension_in_the_metadata():
    opener = FakeOpener(lambda url: fixture_bytes("07902_metadata.json" if "/metadata" in url else "07902_2023.json"))
    client, _ = client_for(opener)
    frame = fetch_life_table(client, [2023])
    assert frame.columns.tolist() == ["year", "sex", "age", "probability", "value"]
    assert frame.loc[(frame["sex"] == "male") & (frame["age"] == 0), "probability"].item() == pytest.approx(0.0021)
    assert "valueCodes[AlderX]=*" in opener.urls[-1]


def test_bad_kommunenummer_is_refused_without_a_request():
    opener = FakeOpener([])
    client, _ = client_for(opener)
    with pytest.raises(SSBRequestError, match="4 digits"):
        fetch_population(client, ["18"], [2024])
    assert not opener.requests


# --- refreshing the bundled data ----------------------------------------------------------------------------


def test_refresh_writes_a_valid_file(tmp_path):
    client, _ = client_for(FakeOpener(route_small_country))
    target = refresh_population(client, tmp_path / "population.parquet", min_municipalities=2)

    written = pd.read_parquet(target)
    assert written.columns.tolist() == ["kommunenummer", "year", "sex", "age", "persons"]
    assert sorted(written["kommunenummer"].astype(str).unique()) == ["1835", "1836"]
    assert sorted(written["year"].unique().tolist()) == [2023, 2024]
    traena = written[(written["kommunenummer"] == "1835") & (written["year"] == 2024)]
    assert int(traena["persons"].sum()) == 442
    assert (written["persons"] > 0).all()
    names = json.loads((tmp_path / MUNICIPALITIES_FILE).read_text(encoding="utf-8"))
    assert {m["kommunenummer"]: m["name"] for m in names["municipalities"]} == {"1835": "Træna", "1836": "Rødøy"}
    assert not list(tmp_path.glob(".*.tmp"))


def _bundled_copy(tmp_path: Path) -> Path:
    from resilience.data.ssb_client import bundled_population_path

    target = tmp_path / "ssb_07459_population.parquet"
    target.write_bytes(bundled_population_path().read_bytes())
    (tmp_path / MUNICIPALITIES_FILE).write_text("names before", encoding="utf-8")
    return target


def _partial_country(url: str) -> Reply:
    if "/metadata" in url:
        return fixture_bytes("07459_metadata_small.json")
    document = fixture_json("07459_two_municipalities.json")
    document["value"] = [None if i % 636 == 5 else v for i, v in enumerate(document["value"])]
    return json.dumps(document).encode()


@pytest.mark.parametrize(
    "replies",
    [
        lambda url: fixture_bytes("07459_metadata_small.json") if "/metadata" in url else (500, b"oops"),
        lambda url: (
            fixture_bytes("07459_metadata_small.json")
            if "/metadata" in url
            else fixture_bytes("07459_traena_2024_truncated.json")
        ),
        lambda url: (
            fixture_bytes("07459_metadata_small.json")
            if "/metadata" in url
            else fixture_bytes("07459_size_mismatch.json")
        ),
        lambda url: fixture_bytes("error_400.json"),
        _partial_country,
        route_small_country,  # good data, but far fewer municipalities than Norway has
    ],
    ids=["http-500", "truncated", "size-mismatch", "error-document", "missing-cells", "too-few-municipalities"],
)
def test_refresh_with_a_bad_response_leaves_the_target_untouched(tmp_path, replies):
    target = _bundled_copy(tmp_path)
    before = target.read_bytes()
    names_before = (tmp_path / MUNICIPALITIES_FILE).read_bytes()
    client, _ = client_for(FakeOpener(replies))

    with pytest.raises(SSBResponseError):
        refresh_population(client, target)

    assert target.read_bytes() == before
    assert (tmp_path / MUNICIPALITIES_FILE).read_bytes() == names_before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([target.name, MUNICIPALITIES_FILE])


def test_refresh_refuses_a_year_that_drops_sharply(tmp_path):
    def halved_2024(url: str) -> Reply:
        if "/metadata" in url:
            return fixture_bytes("07459_metadata_small.json")
        document = fixture_json("07459_two_municipalities.json")
        # Tid is the last dimension: odd positions are 2024.
        document["value"] = [v // 2 if (v is not None and i % 2) else v for i, v in enumerate(document["value"])]
        return json.dumps(document).encode()

    target = _bundled_copy(tmp_path)
    before = target.read_bytes()
    client, _ = client_for(FakeOpener(halved_2024))
    with pytest.raises(SSBResponseError, match="total changes by"):
        refresh_population(client, target, min_municipalities=2)
    assert target.read_bytes() == before


# --- the command line and the model -------------------------------------------------------------------------


def test_cli_fetch_writes_csv(tmp_path, monkeypatch):
    opener = FakeOpener([fixture_bytes("07459_traena_2024.json")])
    monkeypatch.setattr("resilience.data.ssb_client.urllib.request.build_opener", lambda *a: opener)
    out = tmp_path / "traena.csv"
    result = CliRunner().invoke(
        main, ["ssb", "fetch", "07459", "--select", "Region=K-1835", "--select", "Tid=2024", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out, dtype=str)
    assert len(frame) == 212
    assert "valueCodes[Region]=K-1835" in opener.urls[0]


def test_cli_network_error_is_one_line_exit_1(monkeypatch):
    opener = FakeOpener([urllib.error.URLError("no route to host")])
    monkeypatch.setattr("resilience.data.ssb_client.urllib.request.build_opener", lambda *a: opener)
    result = CliRunner().invoke(main, ["ssb", "fetch", "07459", "--select", "Tid=2024"])
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1
    assert "could not reach SSB" in result.output


def test_cli_bad_select_is_exit_2():
    result = CliRunner().invoke(main, ["ssb", "fetch", "07459", "--select", "Tid"])
    assert result.exit_code == 2
    assert "DIM=CODES" in result.output


def test_cli_refresh_population_refuses_bad_data(tmp_path, monkeypatch):
    target = _bundled_copy(tmp_path)
    before = target.read_bytes()
    opener = FakeOpener(lambda url: fixture_bytes("error_400.json"))
    monkeypatch.setattr("resilience.data.ssb_client.urllib.request.build_opener", lambda *a: opener)
    result = CliRunner().invoke(main, ["ssb", "refresh-population", "--target", str(target)])
    assert result.exit_code == 1
    assert "Bad Request" in result.output
    assert target.read_bytes() == before


def test_running_a_scenario_never_touches_the_network(traena, monkeypatch):
    from resilience.model import MunicipalityModel

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("a scenario run tried to use the network")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    monkeypatch.setattr(urllib.request, "build_opener", no_network)
    monkeypatch.setattr(urllib.request.OpenerDirector, "open", no_network)
    monkeypatch.setattr("resilience.data.ssb_client.SSBClient.__init__", no_network)

    frame = MunicipalityModel(traena, seed=1, horizon=2026).run()
    assert len(frame) > 0
