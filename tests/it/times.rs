//! Times typed and shown in London time (SPEC section 16).
