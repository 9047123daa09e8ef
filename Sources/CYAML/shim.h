#ifndef KUBECTL_INPLACE_CYAML_SHIM_H
#define KUBECTL_INPLACE_CYAML_SHIM_H
#include <yaml.h>
#endif
