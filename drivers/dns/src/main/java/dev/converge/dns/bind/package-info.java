/**
 * {@code dns-zone}: a zone served by BIND on a host of the spec, with an update policy for the zone's TSIG key, so
 * that the {@code dns-record} driver can keep its records by signed dynamic updates.
 */
package dev.converge.dns.bind;
