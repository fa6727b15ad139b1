"""The boundaries of the provinces of both eras, read once from provinces.json.

The file is made by scripts/build_province_map.py from Natural Earth (public domain); see
README.md beside it. Coordinates are SVG user units in a fixed viewBox; nothing here computes
geometry, it only hands the stored paths to the renderer.
"""

import functools
import json
from dataclasses import dataclass
from pathlib import Path

DATA_FILE = Path(__file__).with_name("provinces.json")

OLD = "old"  # the 63 provinces and cities in force until 30/06/2025
NEW = "new"  # the 34 in force from 01/07/2025
ERAS = (OLD, NEW)


@dataclass(frozen=True)
class ProvinceShape:
    """One province of one era: `d` is its SVG path, (`label_x`, `label_y`) the point deepest
    inside its largest part and `label_room` the radius of the circle that fits there."""

    code: str
    name: str
    d: str
    label_x: float
    label_y: float
    label_room: float
    bbox: tuple[float, float, float, float]


@dataclass(frozen=True)
class Archipelago:
    """Hoàng Sa or Trường Sa: drawn inside the path of `province` (old code, the same in both
    eras), as dots within `bbox`."""

    key: str
    province: str
    bbox: tuple[float, float, float, float]


@dataclass(frozen=True)
class Neighbour:
    key: str  # "china", "laos", "cambodia", "thailand"
    d: str


@dataclass(frozen=True)
class MapGeometry:
    width: float
    height: float
    eras: dict[str, tuple[ProvinceShape, ...]]
    archipelagos: tuple[Archipelago, ...]
    outline: str  # the whole country (the union of the provinces), drawn over them as its border
    neighbours: tuple[Neighbour, ...]
    places: dict[str, tuple[float, float]]  # where the neighbours' and the sea's names go
    source: dict[str, str]

    def provinces(self, era: str) -> tuple[ProvinceShape, ...]:
        """The shapes of `era` ("old" or "new"), by code; KeyError for any other era."""
        return self.eras[era]


@functools.cache
def load(path: Path = DATA_FILE) -> MapGeometry:
    """The map data of `path` (the shipped provinces.json by default), read and parsed once."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    _x, _y, width, height = raw["viewbox"]
    return MapGeometry(
        width=width,
        height=height,
        eras={
            era: tuple(
                ProvinceShape(
                    code=item["code"],
                    name=item["name"],
                    d=item["d"],
                    label_x=item["label"][0],
                    label_y=item["label"][1],
                    label_room=item["label"][2],
                    bbox=tuple(item["bbox"]),
                )
                for item in items
            )
            for era, items in raw["eras"].items()
        },
        archipelagos=tuple(
            Archipelago(key=item["key"], province=item["province"], bbox=tuple(item["bbox"]))
            for item in raw["archipelagos"]
        ),
        outline=raw["outline"],
        neighbours=tuple(Neighbour(key=item["key"], d=item["d"]) for item in raw["neighbours"]),
        places={key: tuple(value) for key, value in raw["places"].items()},
        source=raw["source"],
    )
