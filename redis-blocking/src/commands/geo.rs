//! Geospatial commands.

use super::options::{GeoAddOptions, GeoSearch, GeoUnit};
use crate::{Cmd, ToArg, ToArgs};

commands! {
    /// Commands on geospatial indexes.
    pub trait GeoCommands: Handle as GEO;

    /// `GEOADD key longitude latitude member...`: `items` like
    /// `[(13.36, 38.11, "Palermo")]`.
    fn geo_add<K: ToArg<'a>, I: ToArgs<'a>>(key: K, items: I) => Cmd::new("GEOADD").arg(key).arg(items);
    /// `GEOADD key [NX|XX] [CH] longitude latitude member...`: how many were
    /// added (changed, with `CH`).
    fn geo_add_options<K: ToArg<'a>, I: ToArgs<'a>>(key: K, options: GeoAddOptions, items: I) => Cmd::new("GEOADD").arg(key).arg(options).arg(items);
    /// `GEOPOS key member...`: `[longitude, latitude]` or nil each.
    fn geo_pos<K: ToArg<'a>, M: ToArgs<'a>>(key: K, members: M) => Cmd::new("GEOPOS").arg(key).arg(members);
    /// `GEODIST key member1 member2 unit`.
    fn geo_dist<K: ToArg<'a>, A: ToArg<'a>, B: ToArg<'a>>(key: K, member1: A, member2: B, unit: GeoUnit) => Cmd::new("GEODIST").arg(key).arg(member1).arg(member2).arg(unit);
    /// `GEOHASH key member...`.
    fn geo_hash<K: ToArg<'a>, M: ToArgs<'a>>(key: K, members: M) => Cmd::new("GEOHASH").arg(key).arg(members);
    /// `GEOSEARCH key FROMLONLAT lon lat BYRADIUS radius unit ASC`: members
    /// nearest first.
    fn geo_search_radius<K: ToArg<'a>>(key: K, longitude: f64, latitude: f64, radius: f64, unit: GeoUnit) => Cmd::new("GEOSEARCH").arg(key).arg("FROMLONLAT").arg(longitude).arg(latitude).arg("BYRADIUS").arg(radius).arg(unit).arg("ASC");
    /// `GEOSEARCH key FROMMEMBER|FROMLONLAT ... BYRADIUS|BYBOX ... [ASC|DESC]
    /// [COUNT n [ANY]] [WITHCOORD] [WITHDIST] [WITHHASH]`: `Vec<String>`, or
    /// `Vec<GeoMatch>` with any `WITH*` option.
    fn geo_search<K: ToArg<'a>>(key: K, search: GeoSearch) => Cmd::new("GEOSEARCH").arg(key).arg(search);
    /// `GEOSEARCHSTORE destination source ... [STOREDIST]`: how many members
    /// were stored (the search's `WITH*` options do not apply; with
    /// `store_dist` the scores are the distances).
    fn geo_search_store<D: ToArg<'a>, K: ToArg<'a>>(destination: D, source: K, search: GeoSearch, store_dist: bool) => Cmd::new("GEOSEARCHSTORE").arg(destination).arg(source).arg(search.without_extras()).arg(store_dist.then_some("STOREDIST"));
}
