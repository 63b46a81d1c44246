"""Disability categories of 603 CMR 28.02(7), with the sensory impairment subtypes, and grade levels."""

from django.db import models


class Disability(models.TextChoices):
    AUTISM = "autism", "Autism"
    DEVELOPMENTAL_DELAY = "developmental_delay", "Developmental Delay"
    INTELLECTUAL = "intellectual", "Intellectual Impairment"
    SENSORY_HEARING = "sensory_hearing", "Sensory Impairment: Hearing Impaired or Deaf"
    SENSORY_VISION = "sensory_vision", "Sensory Impairment: Vision Impaired or Blind"
    SENSORY_DEAFBLIND = "sensory_deafblind", "Sensory Impairment: Deafblind"
    NEUROLOGICAL = "neurological", "Neurological Impairment"
    EMOTIONAL = "emotional", "Emotional Impairment"
    COMMUNICATION = "communication", "Communication Impairment"
    PHYSICAL = "physical", "Physical Impairment"
    HEALTH = "health", "Health Impairment"
    SPECIFIC_LEARNING = "specific_learning", "Specific Learning Disability"


# 603 CMR 28.02(7)(b): Developmental Delay applies to children aged three through nine.
DEVELOPMENTAL_DELAY_MAX_AGE = 9


class Grade(models.TextChoices):
    PK = "PK", "Pre-kindergarten"
    K = "K", "Kindergarten"
    G1 = "01", "Grade 1"
    G2 = "02", "Grade 2"
    G3 = "03", "Grade 3"
    G4 = "04", "Grade 4"
    G5 = "05", "Grade 5"
    G6 = "06", "Grade 6"
    G7 = "07", "Grade 7"
    G8 = "08", "Grade 8"
    G9 = "09", "Grade 9"
    G10 = "10", "Grade 10"
    G11 = "11", "Grade 11"
    G12 = "12", "Grade 12"
    POST12 = "SP", "Post-12 (ages 18-22)"
