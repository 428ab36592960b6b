"""Feast definitions: one entity (a patient) and two timestamped feature views."""

from datetime import timedelta

from feast import Entity, FeatureService, FeatureView, Field, FileSource
from feast.types import Float64
from feast.value_type import ValueType

patient = Entity(name="patient", join_keys=["patient_id"], value_type=ValueType.INT64)

patient_vitals = FeatureView(
    name="patient_vitals",
    entities=[patient],
    ttl=timedelta(days=1),
    schema=[Field(name="heart_rate", dtype=Float64), Field(name="systolic_bp", dtype=Float64)],
    source=FileSource(path="data/vitals.parquet", timestamp_field="event_timestamp"),
    online=True,
)

patient_labs = FeatureView(
    name="patient_labs",
    entities=[patient],
    ttl=timedelta(days=2),
    schema=[Field(name="creatinine", dtype=Float64)],
    source=FileSource(path="data/labs.parquet", timestamp_field="event_timestamp"),
    online=True,
)

readmission_model = FeatureService(name="readmission_model", features=[patient_vitals, patient_labs])
