/**
 * DNS: the records of a zone kept by TSIG-signed RFC 2136 updates ({@code dns-record}), and zones served by BIND on a
 * host of the spec ({@code dns-zone}). Every DNS message travels over the server host's transport.
 */
package dev.converge.dns;
