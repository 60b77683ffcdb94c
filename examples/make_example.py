#!/usr/bin/env python3
"""Writes example-election.csv: a small synthetic election (not real data) used by the README's
demo and by tests. Deterministic: the same file on every run. Three planted problems let `check`
show its findings: a sheet with more ballots than registered voters, a repeated sheet id, and a
sheet whose polling place votes very differently from its neighbours."""
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
rows.append(list(rows[20]))                                                          # repeated sheet id
r = rows[40]; r[8], r[7] = r[8] + r[7], 0                                            # one list's votes moved to another
with open("example-election.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(["sheet_id", "department", "municipality", "polling_place", "latitude", "longitude", "registered",
                *choices, "blank", "invalid"])
    w.writerows(rows)
print(f"wrote {len(rows)} sheets")
