"""Writes to the catalogue (funds, regions)."""

from __future__ import annotations

from django.db import transaction

from programs.aok import AOKS, LAENDER, NRW_REGIERUNGSBEZIRKE
from programs.models import Fund, FundRegion, Land, Regierungsbezirk


@transaction.atomic
def ensure_aoks() -> list[Fund]:
    """Upsert the 11 AOKs (`programs.aok.AOKS`) and exactly their FundRegion rows.

    Idempotent. Creates the 16 Länder and the 5 NRW Regierungsbezirke when missing (so it
    works on the small demo data set) but never renames rows `import_regions` loaded.
    A region that belonged to another AOK is moved; regions an AOK no longer serves are
    removed.
    """
    for land in LAENDER:
        Land.objects.get_or_create(code=land["code"], defaults={"ags": land["ags"], "name": land["name"]})
    for key, name in NRW_REGIERUNGSBEZIRKE.items():
        Regierungsbezirk.objects.get_or_create(key=key, defaults={"name": name, "land_id": "NW"})

    funds: list[Fund] = []
    for aok in AOKS:
        fund, _ = Fund.objects.update_or_create(
            ik=aok["ik"],
            defaults={
                "name": aok["name"],
                "short_name": aok["short_name"],
                "slug": aok["slug"],
                "seat_land_id": aok["seat_land"],
                "website": aok["website"],
            },
        )
        if not fund.postal_address:  # filled once; an address the staff entered is kept
            fund.postal_address = aok["postal_address"]
            fund.save(update_fields=["postal_address"])
        funds.append(fund)
        wanted: set[int] = set()
        for land_code in aok["lands"]:
            region, _ = FundRegion.objects.update_or_create(
                land_id=land_code, regierungsbezirk=None, defaults={"fund": fund}
            )
            wanted.add(region.pk)
        for key in aok["regierungsbezirke"]:
            land_code = Regierungsbezirk.objects.values_list("land_id", flat=True).get(key=key)
            region, _ = FundRegion.objects.update_or_create(
                regierungsbezirk_id=key, defaults={"fund": fund, "land_id": land_code}
            )
            wanted.add(region.pk)
        FundRegion.objects.filter(fund=fund).exclude(pk__in=wanted).delete()
    return funds
