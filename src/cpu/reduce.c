/* The combine rule as one MPI operator, so ranks reduce exactly as threads do. */
#include <stddef.h>

#include "conpar/comm.h"
#include "conpar/cpu.h"

static MPI_Datatype maxloc_type = MPI_DATATYPE_NULL;
static MPI_Op maxloc_op = MPI_OP_NULL;
static int cleanup_key = MPI_KEYVAL_INVALID;

/* MPI applies inout[i] = in[i] op inout[i]; the combine is commutative and associative. */
static void combine_op(void *in, void *inout, int *len, MPI_Datatype *type)
{
    (void)type;
    const struct cp_maxloc *a = in;
    struct cp_maxloc *b = inout;
    for (int i = 0; i < *len; i++)
        b[i] = cp_maxloc_combine(a[i], b[i]);
}

/* Called when MPI_Finalize deletes MPI_COMM_SELF's attributes: MPI is still usable. */
static int free_at_finalize(MPI_Comm comm, int key, void *value, void *extra)
{
    (void)comm;
    (void)key;
    (void)value;
    (void)extra;
    if (maxloc_op != MPI_OP_NULL)
        MPI_Op_free(&maxloc_op);
    if (maxloc_type != MPI_DATATYPE_NULL)
        MPI_Type_free(&maxloc_type);
    return MPI_SUCCESS;
}

enum cp_status cp_maxloc_mpi(MPI_Datatype *type, MPI_Op *op)
{
    if (maxloc_op == MPI_OP_NULL) {
        int lengths[4] = {1, 1, 1, 1};
        MPI_Aint offsets[4] = {offsetof(struct cp_maxloc, value), offsetof(struct cp_maxloc, index),
                               offsetof(struct cp_maxloc, nan_count),
                               offsetof(struct cp_maxloc, key)};
        MPI_Datatype types[4] = {MPI_DOUBLE, MPI_INT64_T, MPI_INT64_T, MPI_INT64_T};
        MPI_Datatype packed;
        CP_MPI_CHECK(MPI_Type_create_struct(4, lengths, offsets, types, &packed));
        /* the extent of the C struct, so arrays of records line up */
        CP_MPI_CHECK(
            MPI_Type_create_resized(packed, 0, (MPI_Aint)sizeof(struct cp_maxloc), &maxloc_type));
        CP_MPI_CHECK(MPI_Type_free(&packed));
        CP_MPI_CHECK(MPI_Type_commit(&maxloc_type));
        CP_MPI_CHECK(MPI_Op_create(combine_op, 1, &maxloc_op));
        CP_MPI_CHECK(
            MPI_Comm_create_keyval(MPI_COMM_NULL_COPY_FN, free_at_finalize, &cleanup_key, NULL));
        CP_MPI_CHECK(MPI_Comm_set_attr(MPI_COMM_SELF, cleanup_key, NULL));
    }
    *type = maxloc_type;
    *op = maxloc_op;
    return CP_OK;
}

enum cp_status cp_maxloc_reduce(struct cp_maxloc *r, MPI_Comm comm)
{
    MPI_Datatype type = MPI_DATATYPE_NULL;
    MPI_Op op = MPI_OP_NULL;
    enum cp_status st = cp_maxloc_mpi(&type, &op);
    if (st != CP_OK)
        return st;
    struct cp_maxloc all = *r;
    CP_MPI_CHECK(MPI_Reduce(r, &all, 1, type, op, 0, comm));
    if (cp_comm_rank(comm) == 0)
        *r = all;
    return CP_OK;
}
