//! Options of the geospatial commands.

use crate::cmd::ArgSink;
use crate::{ToArg, ToArgs};

/// A distance unit for geo commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeoUnit {
    /// Meters.
    Meters,
    /// Kilometers.
    Kilometers,
    /// Miles.
    Miles,
    /// Feet.
    Feet,
}

impl<'a> ToArg<'a> for GeoUnit {
    fn write_arg(&self, out: &mut ArgSink<'_, 'a>) {
        out.push(match self {
            GeoUnit::Meters => b"m",
            GeoUnit::Kilometers => b"km",
            GeoUnit::Miles => b"mi",
            GeoUnit::Feet => b"ft",
        })
    }
}

/// The options of `GEOADD`: `NX|XX` and `CH`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GeoAddOptions {
    condition: Option<&'static [u8]>,
    changed: bool,
}

impl GeoAddOptions {
    /// `NX`: only add new members.
    pub fn only_new(mut self) -> Self {
        self.condition = Some(b"NX");
        self
    }

    /// `XX`: only update existing members.
    pub fn only_existing(mut self) -> Self {
        self.condition = Some(b"XX");
        self
    }

    /// `CH`: count changed members, not only added ones.
    pub fn changed(mut self) -> Self {
        self.changed = true;
        self
    }
}

impl<'a> ToArgs<'a> for GeoAddOptions {
    fn write_args(&self, out: &mut ArgSink<'_, 'a>) {
        if let Some(c) = self.condition {
            out.push(c);
        }
        if self.changed {
            out.push(b"CH");
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum GeoFrom {
    Member(Vec<u8>),
    LonLat(f64, f64),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum GeoBy {
    Radius(f64, GeoUnit),
    Box(f64, f64, GeoUnit),
}

/// A `GEOSEARCH` (and `GEOSEARCHSTORE`) query: a centre, a shape, and
/// what to return.
///
/// The reply converts to `Vec<String>` (members only) or, with any
/// `with_*` option, to `Vec<GeoMatch>` ([`GeoMatch`](crate::GeoMatch)).
///
/// # Example
///
/// ```
/// use redis_blocking::commands::{GeoSearch, GeoUnit};
/// use redis_blocking::Cmd;
///
/// let search = GeoSearch::from_lonlat(15.0, 37.0).by_radius(200.0, GeoUnit::Kilometers).asc().count(5).with_dist();
/// let cmd = Cmd::new("GEOSEARCH").arg("Sicily").arg(search);
/// let args: Vec<&[u8]> = cmd.args().collect();
/// assert_eq!(
///     args,
///     [&b"GEOSEARCH"[..], b"Sicily", b"FROMLONLAT", b"15", b"37", b"BYRADIUS", b"200", b"km", b"ASC", b"COUNT", b"5", b"WITHDIST"]
/// );
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct GeoSearch {
    from: GeoFrom,
    by: GeoBy,
    order: Option<&'static [u8]>,
    count: Option<(usize, bool)>,
    with_coord: bool,
    with_dist: bool,
    with_hash: bool,
}

impl GeoSearch {
    /// Centred on a member of the index (`FROMMEMBER`); a radius of 1 m
    /// until [`by_radius`](GeoSearch::by_radius) or
    /// [`by_box`](GeoSearch::by_box) says otherwise.
    pub fn from_member(member: impl Into<Vec<u8>>) -> GeoSearch {
        GeoSearch::new(GeoFrom::Member(member.into()))
    }

    /// Centred on a point (`FROMLONLAT`).
    pub fn from_lonlat(longitude: f64, latitude: f64) -> GeoSearch {
        GeoSearch::new(GeoFrom::LonLat(longitude, latitude))
    }

    fn new(from: GeoFrom) -> GeoSearch {
        GeoSearch {
            from,
            by: GeoBy::Radius(1.0, GeoUnit::Meters),
            order: None,
            count: None,
            with_coord: false,
            with_dist: false,
            with_hash: false,
        }
    }

    /// `BYRADIUS radius unit`: within a circle.
    pub fn by_radius(mut self, radius: f64, unit: GeoUnit) -> Self {
        self.by = GeoBy::Radius(radius, unit);
        self
    }

    /// `BYBOX width height unit`: within an axis-aligned rectangle.
    pub fn by_box(mut self, width: f64, height: f64, unit: GeoUnit) -> Self {
        self.by = GeoBy::Box(width, height, unit);
        self
    }

    /// `ASC`: nearest first.
    pub fn asc(mut self) -> Self {
        self.order = Some(b"ASC");
        self
    }

    /// `DESC`: farthest first.
    pub fn desc(mut self) -> Self {
        self.order = Some(b"DESC");
        self
    }

    /// `COUNT n`: at most `n` matches (the nearest when sorted).
    pub fn count(mut self, n: usize) -> Self {
        self.count = Some((n, false));
        self
    }

    /// `COUNT n ANY`: stop at the first `n` matches found.
    pub fn count_any(mut self, n: usize) -> Self {
        self.count = Some((n, true));
        self
    }

    /// `WITHCOORD`: each match with its position.
    pub fn with_coord(mut self) -> Self {
        self.with_coord = true;
        self
    }

    /// `WITHDIST`: each match with its distance, in the query's unit.
    pub fn with_dist(mut self) -> Self {
        self.with_dist = true;
        self
    }

    /// `WITHHASH`: each match with its raw geohash.
    pub fn with_hash(mut self) -> Self {
        self.with_hash = true;
        self
    }

    /// The query without the `WITH*` options, for `GEOSEARCHSTORE`.
    pub(crate) fn without_extras(&self) -> GeoSearch {
        GeoSearch {
            with_coord: false,
            with_dist: false,
            with_hash: false,
            ..self.clone()
        }
    }
}

impl<'a> ToArgs<'a> for GeoSearch {
    fn write_args(&self, out: &mut ArgSink<'_, 'a>) {
        match &self.from {
            GeoFrom::Member(m) => {
                out.push(b"FROMMEMBER");
                out.push(m);
            }
            GeoFrom::LonLat(lon, lat) => {
                out.push(b"FROMLONLAT");
                lon.write_arg(out);
                lat.write_arg(out);
            }
        }
        match self.by {
            GeoBy::Radius(r, unit) => {
                out.push(b"BYRADIUS");
                r.write_arg(out);
                unit.write_arg(out);
            }
            GeoBy::Box(w, h, unit) => {
                out.push(b"BYBOX");
                w.write_arg(out);
                h.write_arg(out);
                unit.write_arg(out);
            }
        }
        if let Some(order) = self.order {
            out.push(order);
        }
        if let Some((n, any)) = self.count {
            out.push(b"COUNT");
            n.write_arg(out);
            if any {
                out.push(b"ANY");
            }
        }
        for (on, word) in [
            (self.with_coord, &b"WITHCOORD"[..]),
            (self.with_dist, b"WITHDIST"),
            (self.with_hash, b"WITHHASH"),
        ] {
            if on {
                out.push(word);
            }
        }
    }
}
