package io.asynqueue.remote.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** The version from the build: {@code version.properties}, filtered by Maven (as {@code mcm --version}). */
final class VersionProvider implements IVersionProvider {

  VersionProvider() {
  }

  /** @return this module's version, or "unknown" when the resource is missing */
  static String version() {
    Properties p = new Properties();
    try (InputStream in = VersionProvider.class.getResourceAsStream("/io/asynqueue/remote/version.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // fall through to "unknown"
    }
    return p.getProperty("version", "unknown");
  }

  @Override
  public String[] getVersion() {
    return new String[] {
      "asynqueue-remote " + version() + " (AsynQueue for Vert.x)",
      "Java " + System.getProperty("java.version") + ", " + System.getProperty("java.vm.name")
    };
  }
}
