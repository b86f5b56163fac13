//! What-if table and recommendations.
