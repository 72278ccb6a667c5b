"""The programme review (seed 004): review rounds, assessments, decisions and phase-out or handover plans (R28)."""
