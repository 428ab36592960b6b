"""A small feature-store example: patients with timestamped vitals and labs."""
