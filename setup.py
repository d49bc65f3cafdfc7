"""Builds pylite's C core into pylite/libpylite.so and installs the package.

``pip install .`` compiles every capi/**/*.c with the setuptools compiler into
one shared library placed inside the package, where pylite/_ffi.py looks for
it. No CMake is needed. The library is loaded with cffi in ABI mode, so it is
not a Python extension module: it has no Python dependency and the same file
works with every Python version.

It also builds pylite._fast (pylite/_fast_build.py), the small cffi API-mode
module of the signature runner's one-call path, with Python's limited API
(one file for every CPython 3.9+). That one is optional: if it cannot be
compiled (no Python headers), the package is built without it and makes the
same calls through ABI mode.
"""

import glob
import os
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

_BUILD_BASE = os.path.join("build", "python")
os.makedirs(_BUILD_BASE, exist_ok=True)


def _core_sources():
  sources = sorted(glob.glob(os.path.join("capi", "**", "*.c"),
                             recursive=True))
  if not sources:
    sys.exit("setup.py: no C sources found under capi/")
  return sources


class BuildSharedLibrary(build_ext):
  """Compiles the core as a plain shared library, not an extension module."""

  def get_ext_filename(self, fullname):
    # Called with "pylite.libpylite" or, by get_ext_fullpath, with the last
    # component only; either way the file is the plain library name.
    if fullname.split(".")[-1] == "libpylite":
      if sys.platform == "darwin":
        name = "libpylite.dylib"
      elif sys.platform == "win32":
        name = "pylite.dll"
      else:
        name = "libpylite.so"
      return os.path.join(*fullname.split(".")[:-1], name)
    return super().get_ext_filename(fullname)

  def build_extension(self, ext):
    if ext.name == "pylite._fast":
      try:
        return super().build_extension(ext)
      except Exception as e:  # pylint: disable=broad-except
        print(f"setup.py: pylite._fast not built ({e}); pylite will make "
              "its calls through cffi's ABI mode", file=sys.stderr)
        return None
    if ext.name != "pylite.libpylite":
      return super().build_extension(ext)
    output = self.get_ext_fullpath(ext.name)
    os.makedirs(os.path.dirname(output), exist_ok=True)
    compiler = self.compiler
    extra = []
    if compiler.compiler_type == "unix":
      extra = ["-std=c11", "-O2", "-fPIC", "-fvisibility=hidden",
               "-ffp-contract=off",
               "-Wno-unused-parameter"]
    objects = compiler.compile(
        ext.sources,
        output_dir=self.build_temp,
        include_dirs=ext.include_dirs,
        macros=ext.define_macros,
        extra_postargs=extra,
        debug=self.debug)
    libraries = ["m", "pthread"] if sys.platform != "win32" else []
    link_args = []
    if compiler.compiler_type == "unix":
      link_args.append("-pthread")
      if sys.platform.startswith("linux"):
        link_args.append("-Wl,-z,defs")  # an unresolved symbol fails here
    compiler.link_shared_object(
        objects, output,
        libraries=libraries,
        extra_postargs=link_args,
        debug=self.debug)


try:  # setuptools >= 70.1 has its own bdist_wheel
  from setuptools.command.bdist_wheel import bdist_wheel as _bdist_wheel
except ImportError:  # older setuptools: the wheel package's
  from wheel.bdist_wheel import bdist_wheel as _bdist_wheel


class PlatformWheel(_bdist_wheel):
  """Tags the wheel cp39-abi3-<platform>: the library is loaded with cffi in
  ABI mode and pylite._fast uses the limited API, so one wheel serves every
  CPython 3.9+ on its platform (py3-none-<platform> elsewhere, where
  pylite._fast is not a CPython module)."""

  def finalize_options(self):
    super().finalize_options()
    self.root_is_pure = False

  def get_tag(self):
    _, _, platform = super().get_tag()
    if sys.implementation.name == "cpython":
      return "cp39", "abi3", platform
    return "py3", "none", platform


setup(
    ext_modules=[
        Extension(
            "pylite.libpylite",
            sources=_core_sources(),
            include_dirs=["include", "."],
        )
    ],
    cffi_modules=["pylite/_fast_build.py:ffi"],
    cmdclass={"build_ext": BuildSharedLibrary, "bdist_wheel": PlatformWheel},
    # Keep setuptools' scratch files out of the top of CMake's build/ tree
    # and out of the source root.
    options={"build": {"build_base": _BUILD_BASE},
             "egg_info": {"egg_base": _BUILD_BASE}},
)
