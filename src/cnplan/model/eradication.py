"""Forced eradication: one path for plans and history replays (docs/model.md §8).

A plan asks for eradication per unit, or for a group, a country or the whole plan (a scoped
target). A history replay asks for the observed national figure, which was done somewhere.
Both go through the same rule:

1. A scoped target is attributed to its units in proportion to their standing coca (the
   replay's weights may also weigh hard-core units down).
2. The plan's asks are limited, in this order, by the money left for eradication, the phase's
   feasibility in hard-core units, resistance not overcome by political will, and the police
   escorts' capacity (per country). A replay skips these limits: what was observed was done.
3. A unit takes at most its yearly cap (a share of the coca it has, net of same-year
   replanting) and what voluntary eradication left. What a unit cannot take is redirected to
   the other units of the same scope, where coca is (water-filling); a unit target has no
   other unit, so the rest is reported as undelivered.

Every year reports the eradication planned, delivered and undelivered by unit, and what was
not done by cause per country (funding, feasibility, resistance, security, cap).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnplan.model.geography import Geography


@dataclass(frozen=True)
class Scoped:
    """An eradication target for several units: ``mask`` (U,) and ``weight`` (U,) that
    attributes it (times standing coca); ``amount`` is a scalar or (S,) for the year.
    ``limited``: False for a history replay (the limits of step 2 do not apply).
    """

    mask: np.ndarray
    amount: float | np.ndarray
    weight: np.ndarray | float = 1.0
    limited: bool = True


@dataclass
class Eradication:
    """The year's forced eradication: delivered and planned (S, U); shortfalls (S, C)."""

    delivered: np.ndarray
    planned: np.ndarray
    short: dict[str, np.ndarray]


def fill(total, weight: np.ndarray, cap: np.ndarray) -> np.ndarray:
    """Spread ``total`` ((S,) or scalar) over units by ``weight``, none above its ``cap``.

    Water-filling: what a capped unit cannot take is spread again over the units below their
    caps, by weight; one pass per unit makes it exact (each pass fills at least one unit or
    places everything). If the caps add up to less than ``total``, every unit is at its cap.
    """
    total = np.reshape(total, (-1, 1)) if np.ndim(total) else total
    done = np.zeros_like(cap)
    for _ in range(cap.shape[1]):
        left = total - done.sum(axis=1, keepdims=True)
        room = weight * (done < cap)
        share = room / np.maximum(room.sum(axis=1, keepdims=True), 1e-12)
        done = np.minimum(done + np.maximum(left, 0.0) * share, cap)
    return done


def attribute(amount, weight: np.ndarray) -> np.ndarray:
    """A scoped amount ((S,) or scalar) spread over units in proportion to ``weight`` (S, U);
    equally over the weighted units' scope when none has any weight (nothing there to take).
    """
    amount = np.reshape(amount, (-1, 1)) if np.ndim(amount) else amount
    total = weight.sum(axis=1, keepdims=True)
    return amount * weight / np.maximum(total, 1e-12)


def limits(wanted, coverage_u, feasible, resistance_u, will_u, escort, geo: Geography, p):
    """Step 2: the factors that scale the plan's asks, and the hectares each one removes.

    Returns (factor (S, U), losses {cause: (S, C)}) for ``wanted`` (S, U).
    """
    resist = 1.0 - p.resistance_block * resistance_u * (1.0 - will_u)
    after = {}
    w = wanted
    for cause, factor in (
        ("short_funding", coverage_u),
        ("short_feasibility", feasible),
        ("short_resistance", resist),
    ):
        kept = w * factor
        after[cause] = geo.country_sum(w - kept)
        w = kept
    total = geo.country_sum(w)
    security = np.minimum(1.0, escort / np.maximum(total, 1e-12))
    after["short_security"] = total - total * security
    return coverage_u * feasible * resist * geo.to_units(security), after


def deliver(unit_wanted, scoped_wanted, room, geo: Geography):
    """Step 3: each unit takes its own ask up to ``room``; each scope's total is water-filled
    over its units' remaining room by standing coca. Returns (delivered, short_cap (S, C)).

    ``scoped_wanted``: a list of (per-unit limited attribution (S, U), fill weight (S, U)).
    """
    own = np.minimum(unit_wanted, room)
    short = geo.country_sum(unit_wanted - own)
    delivered = own
    left = room - own
    for attributed, weight in scoped_wanted:
        filled = fill(attributed.sum(axis=1), weight, left)
        left = left - filled
        delivered = delivered + filled
        short = short + geo.country_sum(attributed) - geo.country_sum(filled)
    return delivered, short


@dataclass
class Asks:
    """Step 1: what is asked of each unit. ``planned`` (S, U) counts every ask; ``costed``
    (S, U) the plan's own asks (what the budget pays for; not a replay's observed figure).
    """

    unit: np.ndarray | float
    planned: np.ndarray
    costed: np.ndarray
    parts: list  # (attributed (S, U), fill weight (S, U), limited)


def asks(unit_target, scoped: list[Scoped], area: np.ndarray) -> Asks:
    """§8 step 1: unit targets as given, scoped targets attributed by standing coca."""
    zero = np.zeros_like(area)
    planned = unit_target + zero
    costed = planned
    parts = []
    for target in scoped:
        weight = area * (target.mask * target.weight)
        attributed = attribute(target.amount, weight)
        planned = planned + attributed
        if target.limited:
            costed = costed + attributed
        parts.append((attributed, weight, target.limited))
    return Asks(unit_target, planned, costed, parts)


def forced_eradication(
    ask: Asks, room, coverage_u, feasible, resistance_u, will_u, escort, geo, p
) -> Eradication:
    """§8 The year's forced eradication for every scenario (see the module docstring).

    ``room`` (S, U): what each unit can take this year (its cap and the coca left).
    """
    factor, short = limits(ask.costed, coverage_u, feasible, resistance_u, will_u, escort, geo, p)
    unit_wanted = ask.unit * factor
    scoped_wanted = [(a * factor if lim else a, w) for a, w, lim in ask.parts]
    delivered, short["short_cap"] = deliver(unit_wanted, scoped_wanted, room, geo)
    return Eradication(delivered, ask.planned, short)
