#!/usr/bin/env python3
"""Writes example-election.csv: a small synthetic election (not real data) used by the README's
demo and by tests. Deterministic: the same file on every run. Two planted problems let `check`
show its findings: a sheet with more ballots than registered voters, and a sheet whose polling
place votes very differently from its neighbours. (Sheet ids are unique, so that arrival times,
the partial count and the projection can be joined to the count by id.)

It also writes what a night of counting leaves behind, so that the demo's report shows every
section: example-arrival.csv (when each sheet arrived in the preliminary count: the places that
favour Alianza Verde, like remote places in real counts, report late, and within a polling place
sheets arrive in random order), example-partial.csv (the count as published at the cutoff,
2024-05-05 19:30 local time), and example-previous.csv (the previous election in the same polling
places, whose lean predicts the late shift)."""
import csv
import math
import random

rng = random.Random(20191020)
departments = {
    "Norte": (-16.5, -68.1, ["Altamira", "Bellavista", "Cerro Alto"]),
    "Centro": (-17.4, -66.2, ["Dolores", "El Prado", "Florida"]),
    "Sur": (-19.0, -65.3, ["Guadalupe", "Huerta", "Isla Verde", "Jardín"]),
}
choices = ["Alianza Verde", "Frente Popular", "Movimiento Azul"]
rows = []
sheet = 1000
for dept, (lat0, lon0, municipalities) in departments.items():
    dept_lean = rng.gauss(0, 0.5)
    for m in municipalities:
        muni_lean = dept_lean + rng.gauss(0, 0.3)
        mlat, mlon = lat0 + rng.gauss(0, 0.3), lon0 + rng.gauss(0, 0.3)
        for p in range(rng.randint(4, 9)):
            place = f"Escuela {p + 1}"  # the same names recur in every municipality
            plat, plon = mlat + rng.gauss(0, 0.02), mlon + rng.gauss(0, 0.02)
            place_lean = muni_lean + rng.gauss(0, 0.15)
            turnout = min(0.95, max(0.5, rng.gauss(0.82, 0.05)))
            for _ in range(rng.randint(2, 8)):
                sheet += 1
                registered = rng.randint(120, 300)
                voters = sum(rng.random() < turnout for _ in range(registered))
                blank = sum(rng.random() < 0.02 for _ in range(voters))
                invalid = sum(rng.random() < 0.04 for _ in range(voters - blank))
                valid = voters - blank - invalid
                w = [math.exp(place_lean + rng.gauss(0, 0.1)), 1.0, math.exp(-0.8 + rng.gauss(0, 0.1))]
                total = sum(w)
                votes = [0, 0, 0]
                for _ in range(valid):
                    u = rng.random() * total
                    k = 0 if u < w[0] else (1 if u < w[0] + w[1] else 2)
                    votes[k] += 1
                rows.append([str(sheet), dept, m, place, f"{plat:.5f}", f"{plon:.5f}", registered, *votes, blank, invalid])
# Planted problems.
rows[10][6] = rows[10][7] + rows[10][8] + rows[10][9] + rows[10][10] + rows[10][11] - 5  # ballots > registered
r = rows[40]; r[8], r[7] = r[8] + r[7], 0                                            # one list's votes moved to another
with open("example-election.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["sheet_id", "department", "municipality", "polling_place", "latitude", "longitude", "registered",
                *choices, "blank", "invalid"])
    w.writerows(rows)
print(f"wrote {len(rows)} sheets")

# The count as it arrived. Drawn after the count itself, so that example-election.csv does not
# change. A place's base arrival (hours after the polls close at 18:00) grows with its lean
# towards Alianza Verde; its sheets follow within about an hour, in random order.
import datetime as dt

close = dt.datetime(2024, 5, 5, 18, 0, tzinfo=dt.timezone(dt.timedelta(hours=-4)))
cutoff = close + dt.timedelta(hours=1, minutes=30)
places = {}
for r in rows:
    places.setdefault((r[1], r[2], r[3]), []).append(r)
arrival = {}
previous = []
for key, sheets in places.items():
    valid = sum(r[7] + r[8] + r[9] for r in sheets)
    lean = sum(r[7] for r in sheets) / valid if valid else 0.5
    base = max(0.1, 4.5 * (lean - 0.25) + rng.gauss(0, 0.35))
    for r in sheets:
        arrival[r[0]] = close + dt.timedelta(seconds=int(3600 * (base + rng.random())))
    # The previous election in this place: the same lean, a little noise, one row per place.
    registered = sum(r[6] for r in sheets)
    turnout = min(0.95, max(0.4, rng.gauss(0.75, 0.05)))
    ballots = int(registered * turnout)
    share_green = min(0.9, max(0.05, lean + rng.gauss(0, 0.03)))
    valid = int(ballots * 0.95)
    green = int(valid * share_green)
    front = int((valid - green) * 0.72)
    previous.append([key[0], key[1], key[2], registered, green, front, valid - green - front, ballots - valid])
order = sorted(arrival, key=lambda i: arrival[i])
with open("example-arrival.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["sheet_id", "arrived_at"])
    for i in order:
        w.writerow([i, arrival[i].isoformat()])
partial = []
for r in rows:
    if arrival[r[0]] <= cutoff:
        partial.append(r)
with open("example-partial.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["sheet_id", "department", "municipality", "polling_place", "latitude", "longitude", "registered",
                *choices, "blank", "invalid"])
    w.writerows(partial)
with open("example-previous.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["department", "municipality", "polling_place", "registered", *choices, "invalid"])
    w.writerows(previous)
print(f"wrote {len(order)} arrival times, {len(partial)} sheets counted by {cutoff.isoformat()}, "
      f"{len(previous)} places of the previous election")
