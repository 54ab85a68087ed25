//! The chart and HTML kit shared by the run report, `hetsim compare` and sweep pages:
//! fonts, palettes and number formats ([`style`]), axes and legends ([`axes`]),
//! PNG + SVG rendering ([`render`]) and HTML escaping and page parts ([`html`]).

pub mod axes;
pub mod html;
pub mod render;
pub mod style;
