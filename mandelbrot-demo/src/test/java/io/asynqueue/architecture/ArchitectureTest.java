package io.asynqueue.architecture;

import static com.tngtech.archunit.base.DescribedPredicate.describe;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.fields;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.domain.JavaMember;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.domain.JavaType;
import com.tngtech.archunit.core.domain.properties.HasModifiers;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import com.tngtech.archunit.library.dependencies.SliceRule;
import com.tngtech.archunit.library.dependencies.SlicesRuleDefinition;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The project's tiers, as rules over the main classes of every module. It lives here because this module
 * depends on all the others; the import takes the project's main classes only (no test classes, no other jar).
 * Alone: {@code mvn -B -pl mandelbrot-demo -am verify -Dtest=ArchitectureTest -Dsurefire.failIfNoSpecifiedTests=false}.
 *
 * <ul>
 *   <li><b>API</b> ({@link #API_PACKAGES}): the public types there and their public and protected members.
 *       Implementations are package-private beside the API they implement.
 *   <li><b>Internal</b>: {@code ..internal..} packages, and the {@code *Internal} hooks that a module offers
 *       another (such as {@code io.asynqueue.remote.server.WorkerServerInternal}, which lives beside the type
 *       it extends). For the project's own modules; no compatibility promise; never in an API signature.
 * </ul>
 *
 * <p>Every exemption is listed below with its reason, and must still apply: one that a change made needless
 * fails {@link #exemptions_stillApply}, so the lists only shrink.
 */
@AnalyzeClasses(
    packages = "io.asynqueue",
    importOptions = {ImportOption.DoNotIncludeTests.class, ArchitectureTest.OnlyTheProjectsMainClasses.class})
final class ArchitectureTest {

  /** Where users look ({@code remote.cli} too: {@code ServerManager} and {@code ClusterArgs} are for users). */
  static final List<String> API_PACKAGES = List.of(
      "io.asynqueue",
      "io.asynqueue.stream",
      "io.asynqueue.toolkit",
      "io.asynqueue.pipeline",
      "io.asynqueue.spi",
      "io.asynqueue.process",
      "io.asynqueue.remote",
      "io.asynqueue.remote.server",
      "io.asynqueue.remote.cluster",
      "io.asynqueue.remote.cli");

  /**
   * The package pair that names each other by design, one slice in the cycle check: {@code TaskQueue.attachWorker}
   * takes a {@code spi.Worker}, while {@code spi.Job.task()} returns an {@code io.asynqueue.Task} and
   * {@code spi.ForwardingTaskQueue} is a {@code TaskQueue}, as {@code java.nio.channels} and its {@code spi} do.
   * A cycle through either and any other package still fails.
   */
  static final Set<String> API_AND_ITS_SPI = Set.of("io.asynqueue", "io.asynqueue.spi");

  /**
   * Dependencies left out of the cycle check, each the one edge that closes a known cycle, with the cycle and
   * its cure. Only that edge is left out: any other dependency that closes the same cycle still fails.
   */
  static final List<KnownEdge> CYCLE_EXEMPTIONS = List.of();

  /** Public types of API packages that show an internal type in their signatures: none. */
  static final Map<String, String> SHOWS_INTERNAL = Map.of();

  /** Static fields that are not final (full name Class.field), each with its reason. */
  static final Map<String, String> MUTABLE_STATICS = Map.of(
      "io.asynqueue.mandelbrot.cli.WorkerCommand.running",
      "the stop latch of the mcm worker running in this JVM, set per run, released by its shutdown hook or a test",
      "io.asynqueue.mandelbrot.cli.ServeCommand.running",
      "the stop latch of the mcm serve running in this JVM, released by its shutdown hook or a test",
      "io.asynqueue.remote.internal.FrameMac.enabled",
      "the frames' tags, turned off only by RemoteBenchmark (by reflection) to measure what they cost");

  // ---------------------------------------------------------------------------------------------------------

  @ArchTest
  static void apiPackages_neverDependOnImpl(JavaClasses classes) {
    noClasses().that().resideInAnyPackage(API_PACKAGES.toArray(String[]::new))
        .should().dependOnClassesThat().resideInAPackage("..impl..")
        .because("implementations are package-private beside their API, or internal")
        .check(classes);
  }

  @ArchTest
  static void internals_areUsedOnlyByTheProjectsOwnCode(JavaClasses classes) {
    classes().that(areInternal())
        .should().onlyHaveDependentClassesThat().resideInAPackage("io.asynqueue..")
        .because("internals are for the project's own modules and carry no compatibility promise")
        .check(classes);
  }

  @ArchTest
  static void moduleInternals_areUsedOnlyByTheirModule(JavaClasses classes) {
    for (String module : List.of("io.asynqueue.process", "io.asynqueue.remote")) {
      classes().that().resideInAPackage(module + ".internal..")
          .should().onlyHaveDependentClassesThat().resideInAPackage(module + "..")
          .because("what both ends of one module share is that module's alone")
          .check(classes);
    }
  }

  @ArchTest
  static void demo_usesNoInternalOfTheProject(JavaClasses classes) {
    noClasses().that().resideInAPackage("io.asynqueue.mandelbrot..")
        .should().dependOnClassesThat(areInternal().and(resideInTheProject()))
        .because("the demo is a user of the library: what it needs, the API has")
        .check(classes);
  }

  @ArchTest
  static void publicApi_neverShowsAnInternalType(JavaClasses classes) {
    classes().that(areApi()).and(describe("are not listed in SHOWS_INTERNAL",
            (JavaClass c) -> !SHOWS_INTERNAL.containsKey(c.getName())))
        .should(showNoInternalTypeInTheirSignatures())
        .because("a user who sees an internal type in the API depends on what has no compatibility promise")
        .check(classes);
  }

  @ArchTest
  static void packages_areFreeOfCycles(JavaClasses classes) {
    SliceRule rule = SlicesRuleDefinition.slices().assignedFrom(PACKAGES_WITH_API_AND_SPI_AS_ONE)
        .should().beFreeOfCycles();
    for (KnownEdge edge : CYCLE_EXEMPTIONS) {
      rule = rule.ignoreDependency(edge.origin(), edge.target());
    }
    rule.check(classes);
  }

  @ArchTest
  static void publicStaticFields_areFinal(JavaClasses classes) {
    fields().that().areStatic().and(arePublicOrProtected()).should().beFinal()
        .because("a public mutable static is global state anyone can change")
        .check(classes);
  }

  @ArchTest
  static void staticFields_areFinal_exceptThoseListed(JavaClasses classes) {
    fields().that().areStatic().and(describe("are not listed in MUTABLE_STATICS",
            (JavaField f) -> !MUTABLE_STATICS.containsKey(f.getFullName())))
        .should().beFinal()
        .because("shared mutable state belongs in an instance; the exceptions are listed with their reasons")
        .check(classes);
  }

  @ArchTest
  static void exemptions_stillApply(JavaClasses classes) {
    for (String field : MUTABLE_STATICS.keySet()) {
      int dot = field.lastIndexOf('.');
      JavaField f = classes.get(field.substring(0, dot)).getField(field.substring(dot + 1));
      assertThat(f.getModifiers()).as(field).contains(JavaModifier.STATIC).doesNotContain(JavaModifier.FINAL);
    }
    for (String type : SHOWS_INTERNAL.keySet()) {
      assertThat(areApi().test(classes.get(type))).as(type).isTrue();
    }
    for (KnownEdge edge : CYCLE_EXEMPTIONS) {
      assertThat(classes.stream().flatMap(c -> c.getDirectDependenciesFromSelf().stream())
          .anyMatch(d -> edge.origin().test(d.getOriginClass()) && edge.target().test(d.getTargetClass())))
          .as("a dependency %s -> %s", edge.originPattern(), edge.targetClass()).isTrue();
    }
  }

  @ArchTest
  static void import_holdsEveryModulesMainClassesAndNoTests(JavaClasses classes) {
    assertThat(classes.contain("io.asynqueue.TaskQueue")).isTrue();
    assertThat(classes.contain("io.asynqueue.process.ProcessWorker")).isTrue();
    assertThat(classes.contain("io.asynqueue.remote.RemoteWorker")).isTrue();
    assertThat(classes.contain("io.asynqueue.mandelbrot.cli.Mcm")).isTrue();
    assertThat(classes.contain(ArchitectureTest.class)).isFalse();
    assertThat(classes.stream().filter(c -> c.getPackageName().startsWith("io.asynqueue.contract"))).isEmpty();
    assertThat(classes.stream().filter(c -> !c.getPackageName().startsWith("io.asynqueue"))).isEmpty();
  }

  // ---------------------------------------------------------------------------------------------------------

  /**
   * A dependency left out of the cycle check.
   *
   * @param originPattern the depending classes' names, as a regular expression
   * @param targetClass the class depended on (its nested classes too)
   * @param reason the cycle it closes, and how to break it
   */
  record KnownEdge(String originPattern, String targetClass, String reason) {

    DescribedPredicate<JavaClass> origin() {
      return describe(originPattern, c -> c.getName().matches(originPattern));
    }

    DescribedPredicate<JavaClass> target() {
      return describe(targetClass,
          c -> c.getName().equals(targetClass) || c.getName().startsWith(targetClass + "$"));
    }
  }

  /** Every package of the project its own slice, but the API and its SPI one. */
  static final SliceAssignment PACKAGES_WITH_API_AND_SPI_AS_ONE = new SliceAssignment() {
    @Override
    public SliceIdentifier getIdentifierOf(JavaClass c) {
      String p = c.getPackageName();
      if (!p.equals("io.asynqueue") && !p.startsWith("io.asynqueue.")) {
        return SliceIdentifier.ignore();
      }
      return SliceIdentifier.of(API_AND_ITS_SPI.contains(p) ? "io.asynqueue (with io.asynqueue.spi)" : p);
    }

    @Override
    public String getDescription() {
      return "the packages of io.asynqueue, with io.asynqueue and io.asynqueue.spi as one";
    }
  };

  private static final Pattern INTERNAL_PACKAGE = Pattern.compile("(.*\\.)?internal(\\..*)?");

  /** In an {@code ..internal..} package (the project's or a library's), or a {@code *Internal} hook of ours. */
  static boolean isInternal(JavaClass c) {
    JavaClass t = c.getBaseComponentType();
    return INTERNAL_PACKAGE.matcher(t.getPackageName()).matches()
        || t.getPackageName().startsWith("io.asynqueue") && t.getSimpleName().endsWith("Internal");
  }

  static DescribedPredicate<JavaClass> areInternal() {
    return describe("are in an ..internal.. package or are *Internal hooks", ArchitectureTest::isInternal);
  }

  static DescribedPredicate<JavaClass> resideInTheProject() {
    return describe("are the project's", c -> c.getBaseComponentType().getPackageName().startsWith("io.asynqueue"));
  }

  /** Public (and so are their enclosing types), in an API package, and no {@code *Internal} hook. */
  static DescribedPredicate<JavaClass> areApi() {
    return describe("are public types of API packages", c -> {
      if (!API_PACKAGES.contains(c.getPackageName()) || isInternal(c)) {
        return false;
      }
      for (Optional<JavaClass> k = Optional.of(c); k.isPresent(); k = k.get().getEnclosingClass()) {
        if (!k.get().getModifiers().contains(JavaModifier.PUBLIC)) {
          return false;
        }
      }
      return true;
    });
  }

  static DescribedPredicate<HasModifiers> arePublicOrProtected() {
    return describe("are public or protected", m -> m.getModifiers().contains(JavaModifier.PUBLIC)
        || m.getModifiers().contains(JavaModifier.PROTECTED));
  }

  /**
   * Supertypes, and the types in public and protected fields, constructors and methods, generics included, the
   * members it inherits from the project's (possibly package-private) supertypes too.
   */
  static ArchCondition<JavaClass> showNoInternalTypeInTheirSignatures() {
    return new ArchCondition<>("show no internal type in their signatures") {
      @Override
      public void check(JavaClass c, ConditionEvents events) {
        Set<String> shown = new TreeSet<>();
        c.getSuperclass().ifPresent(s -> note(shown, "extends", s));
        c.getInterfaces().forEach(i -> note(shown, "implements", i));
        c.getTypeParameters().forEach(t -> note(shown, "type parameter", t));
        for (JavaMember m : c.getAllMembers()) {
          if (!resideInTheProject().test(m.getOwner())) {
            continue; // the JDK's and the libraries': what they show is theirs
          }
          if (!arePublicOrProtected().test(m) || m.getModifiers().contains(JavaModifier.SYNTHETIC)) {
            continue;
          }
          if (m instanceof JavaField f) {
            note(shown, "field " + f.getName(), f.getType());
          } else if (m instanceof JavaCodeUnit u) {
            String name = u.getName() + "(" + String.join(", ",
                u.getRawParameterTypes().stream().map(JavaClass::getSimpleName).toList()) + ")";
            note(shown, name + " returns", u.getReturnType());
            u.getParameterTypes().forEach(t -> note(shown, name + " takes", t));
            u.getThrowsClause().getTypes().forEach(t -> note(shown, name + " throws", t));
            u.getTypeParameters().forEach(t -> note(shown, name + " type parameter", t));
          }
        }
        shown.forEach(s -> events.add(SimpleConditionEvent.violated(c, c.getName() + ": " + s)));
      }
    };
  }

  private static void note(Set<String> shown, String where, JavaType type) {
    type.getAllInvolvedRawTypes().stream().filter(ArchitectureTest::isInternal)
        .forEach(t -> shown.add(where + " " + t.getName()));
  }

  /**
   * The project's main classes only: class directories other than test ones, and the jars of the project's
   * library modules (which the reactor hands this module once they are packaged), not their test jars.
   */
  static final class OnlyTheProjectsMainClasses implements ImportOption {
    private static final Pattern PROJECT_JAR =
        Pattern.compile(".*/asynqueue-(core|process|remote)-[^/]*(?<!-tests)\\.jar(!/.*)?");

    @Override
    public boolean includes(Location location) {
      if (location.isJar() || location.isArchive()) {
        return location.matches(PROJECT_JAR);
      }
      return !location.contains("/test-classes/");
    }
  }
}
