#!/usr/bin/env python3
"""Closed form of the long-term holdout gate (scenarios/gates/long-term-holdout.yaml), evaluated
with scipy: the expected overstatement of the summed shipped lifts, the expected truth and the
expected number of features shipped. Printed values are pinned in
Tests/SimulationTests/LongTermHoldoutTests.swift (closedFormMatchesReference).

Per feature f: est ~ N(mu_e, sigma_e^2) marginally with mu_e = m + nu*g, sigma_e^2 = s^2 + se^2,
ship when est > c = z_{0.975} * se, a = (c - mu_e)/sigma_e:
  E[1{ship}(est - theta)] = se^2/sigma_e * phi(a);  E[1{ship} tau] = m Q(a) + s^2/sigma_e phi(a).
"""
import math
from scipy.stats import norm

F, every, test, users, m, s, sigma = 12, 7.0, 14.0, 20000, 0.01, 0.03, 2.0
initial, half, readout, days = 0.05, 5.0, 91.0, 14


def r(f):
    ship = f * every + test
    return sum(2 ** (-(readout + d - ship) / half) for d in range(days)) / days


for p in (0.0, 0.3):
    se = sigma * math.sqrt(2 / users)
    sigma_e = math.sqrt(s * s + se * se)
    c = norm.isf(0.025) * se
    g = half * (1 - 2 ** (-test / half)) / (test * math.log(2))
    over = truth = ships = 0.0
    for f in range(F):
        for nu, w in ((0.0, 1 - p), (initial, p)):
            if w == 0:
                continue
            a = (c - (m + nu * g)) / sigma_e
            over += w * (se * se / sigma_e * norm.pdf(a) + nu * (g - r(f)) * norm.sf(a))
            truth += w * (m * norm.sf(a) + s * s / sigma_e * norm.pdf(a) + nu * r(f) * norm.sf(a))
            ships += w * norm.sf(a)
    print(f"share {p}: overstatement {over!r} truth {truth!r} shipped {ships!r}")
