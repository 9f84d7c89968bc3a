//! Forgiving look-ups of forces and editors (SPEC section 16).
