/** Transports that ship with core: {@link dev.converge.transport.LocalTransport} for the machine converge runs on. */
package dev.converge.transport;
