"""Synthetic documents with field truth in the reference's output
format, to measure the field accuracy of the services that read them.

    sample = id_card(7, "face", distortion=photographed_card(7))
    sample.image, sample.fields["num"], sample.boxes["name"], sample.encode("jpg")
"""
from bench.synth.documents.bank_card import bank_card
from bench.synth.documents.business_card import business_card
from bench.synth.documents.business_license import business_license
from bench.synth.documents.card import DocumentSample, photographed_card
from bench.synth.documents.form import FormSample, blank_form, filled_form, template_definition
from bench.synth.documents.household import household_register
from bench.synth.documents.idcard import Citizen, citizen, id_card
from bench.synth.documents.licence import driver_license
from bench.synth.documents.passport import mrz_check_digit, passport
from bench.synth.documents.plate import PlateScene, PlateTruth, photographed_street, plate_scene
from bench.synth.documents.seal import SealSample, SealTruth, official_seal
from bench.synth.documents.table import TableSample, photographed_table, table_page
from bench.synth.documents.taxi_invoice import TaxiInvoiceSample, photographed_receipts, taxi_invoices
from bench.synth.documents.train_ticket import train_ticket
from bench.synth.documents.vehicle import vehicle_license
from bench.synth.documents.vin import vin_document, vin_plate, vin_sample

__all__ = [
    "Citizen", "DocumentSample", "citizen", "driver_license", "household_register", "id_card",
    "mrz_check_digit", "passport", "photographed_card", "vehicle_license",
    "PlateScene", "PlateTruth", "photographed_street", "plate_scene",
    "TaxiInvoiceSample", "photographed_receipts", "taxi_invoices",
    "business_card", "train_ticket",
    "business_license",
    "bank_card", "vin_document", "vin_plate", "vin_sample",
    "SealSample", "SealTruth", "official_seal",
    "TableSample", "photographed_table", "table_page",
    "FormSample", "blank_form", "filled_form", "template_definition",
]
