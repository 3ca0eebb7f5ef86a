"""Synthetic identity documents with field truth in the reference's output
format, to measure the field accuracy of the services that read them.

    sample = id_card(7, "face", distortion=photographed_card(7))
    sample.image, sample.fields["num"], sample.boxes["name"], sample.encode("jpg")
"""
from bench.synth.documents.card import DocumentSample, photographed_card
from bench.synth.documents.idcard import Citizen, citizen, id_card
from bench.synth.documents.household import household_register
from bench.synth.documents.licence import driver_license
from bench.synth.documents.passport import mrz_check_digit, passport
from bench.synth.documents.vehicle import vehicle_license

__all__ = [
    "Citizen", "DocumentSample", "citizen", "driver_license", "household_register", "id_card",
    "mrz_check_digit", "passport", "photographed_card", "vehicle_license",
]
