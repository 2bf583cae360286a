package dev.converge.files;

import dev.converge.driver.Transport;
import dev.converge.transport.LocalTransport;

/** The file driver through the local transport. */
class LocalFileDriverTest extends FileDriverBehaviour {

  @Override
  protected Transport openTransport() {
    return new LocalTransport();
  }
}
