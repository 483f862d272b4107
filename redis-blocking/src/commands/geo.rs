//! Geospatial commands.

use super::options::GeoUnit;
use crate::Cmd;

commands! {
    /// Commands on geospatial indexes.
    pub trait GeoCommands;

    /// `GEOADD key longitude latitude member...`: `items` like
    /// `[(13.36, 38.11, "Palermo")]`.
    fn geo_add<K: ToArg, I: ToArgs>(key: K, items: I) -> Cmd::new("GEOADD").arg(key).arg(items);
    /// `GEOPOS key member...`: `[longitude, latitude]` or nil each.
    fn geo_pos<K: ToArg, M: ToArgs>(key: K, members: M) -> Cmd::new("GEOPOS").arg(key).arg(members);
    /// `GEODIST key member1 member2 unit`.
    fn geo_dist<K: ToArg, A: ToArg, B: ToArg>(key: K, member1: A, member2: B, unit: GeoUnit) -> Cmd::new("GEODIST").arg(key).arg(member1).arg(member2).arg(unit);
    /// `GEOHASH key member...`.
    fn geo_hash<K: ToArg, M: ToArgs>(key: K, members: M) -> Cmd::new("GEOHASH").arg(key).arg(members);
    /// `GEOSEARCH key FROMLONLAT lon lat BYRADIUS radius unit ASC`: members
    /// nearest first.
    fn geo_search_radius<K: ToArg>(key: K, longitude: f64, latitude: f64, radius: f64, unit: GeoUnit) -> Cmd::new("GEOSEARCH").arg(key).arg("FROMLONLAT").arg(longitude).arg(latitude).arg("BYRADIUS").arg(radius).arg(unit).arg("ASC");
}
